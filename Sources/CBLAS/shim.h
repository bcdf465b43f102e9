// OpenBLAS CBLAS interface (Debian: libopenblas-dev). pkg-config "openblas" supplies the include path
// of the pthread flavour, whose cblas.h also declares openblas_set_num_threads.
#include <cblas.h>
