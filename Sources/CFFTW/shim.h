// FFTW3 single precision with threads (Debian: libfftw3-dev): fftwf_* symbols.
#include <fftw3.h>
