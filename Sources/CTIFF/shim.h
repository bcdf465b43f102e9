// libtiff 4.5 (Debian: libtiff-dev, pkg-config libtiff-4).
//
// Swift imports neither C variadic functions (TIFFGetField, TIFFSetField) nor, usefully, handlers that
// format a va_list; the helpers below cover both. They hold no state of their own.
#include <stdarg.h>
#include <stdio.h>
#include <tiffio.h>

// The messages libtiff reported while one file was open: errors and warnings, each "module: text"
// joined by "; " and cut at the buffer's end. Zero-initialize before use.
typedef struct ctiff_messages {
    char errors[1024];
    char warnings[1024];
    unsigned error_count;
    unsigned warning_count;
} ctiff_messages;

// Appends "module: formatted text" to `buffer` (a NUL-terminated string of `capacity` bytes).
static inline void ctiff_append(char *buffer, size_t capacity, const char *module, const char *fmt, va_list ap) {
    size_t used = 0;
    while (used < capacity && buffer[used] != 0) used++;
    if (used + 1 >= capacity) return;
    int n = snprintf(buffer + used, capacity - used, "%s%s%s", used > 0 ? "; " : "",
                     module ? module : "", module ? ": " : "");
    if (n < 0) return;
    used += (size_t)n;
    if (used + 1 >= capacity) return;
    vsnprintf(buffer + used, capacity - used, fmt, ap);
}

// Per-file handlers (TIFFErrorHandlerExtR): collect into the ctiff_messages given as user data and
// return 1, so libtiff calls no further handler and prints nothing.
static inline int ctiff_on_error(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    ctiff_messages *m = (ctiff_messages *)user_data;
    ctiff_append(m->errors, sizeof m->errors, module, fmt, ap);
    m->error_count++;
    return 1;
}

static inline int ctiff_on_warning(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    ctiff_messages *m = (ctiff_messages *)user_data;
    ctiff_append(m->warnings, sizeof m->warnings, module, fmt, ap);
    m->warning_count++;
    return 1;
}

// Open options that send every message about the file to `messages` and refuse any single libtiff
// allocation above `max_allocation` bytes. Free with TIFFOpenOptionsFree once the file is open.
static inline TIFFOpenOptions *ctiff_open_options(ctiff_messages *messages, tmsize_t max_allocation) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, ctiff_on_error, messages);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ctiff_on_warning, messages);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, max_allocation);
    return options;
}

// Removes libtiff's process-wide handlers (whose default prints to stderr), for any message that
// reaches them without a file's own handler.
static inline void ctiff_silence_global_handlers(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

// Typed access to the variadic TIFFGetFieldDefaulted / TIFFSetField. The caller picks the helper of
// the tag's C type (libtiff's tag table: uint16 for BitsPerSample, uint32 for ImageWidth, …).
// Getters return 1 when the tag is present or has a default.
static inline int ctiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}
static inline int ctiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}
// ExtraSamples: the count and libtiff's array of EXTRASAMPLE_* values (valid while the file is open).
static inline int ctiff_get_extra_samples(TIFF *tif, uint16_t *count, const uint16_t **types) {
    return TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, count, types);
}
// TIFFSetField reads uint16 tags as int (C's default argument promotion).
static inline int ctiff_set_u16(TIFF *tif, uint32_t tag, uint16_t value) {
    return TIFFSetField(tif, tag, (int)value);
}
static inline int ctiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value) {
    return TIFFSetField(tif, tag, value);
}
