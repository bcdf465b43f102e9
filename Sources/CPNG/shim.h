// libpng 1.6 (Debian: libpng-dev).
#include <png.h>

// PNG_IMAGE_PNG_SIZE_MAX is a function-like macro that Swift cannot import: an upper bound on the
// bytes png_image_write_to_memory produces for `image` (its fields describe the image to write).
static inline png_alloc_size_t cpng_image_png_size_max(const png_image *image) {
    return PNG_IMAGE_PNG_SIZE_MAX(*image);
}
