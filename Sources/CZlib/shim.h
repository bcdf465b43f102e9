// zlib (Debian: zlib1g-dev): gzip decoding of the FashionMNIST IDX files, PNG/deflate helpers.
#include <zlib.h>
