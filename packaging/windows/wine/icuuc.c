/* Test-only stand-in for icuuc.dll, which Wine 8.0 lacks: the ucnv_* converter functions Qt 6.10+ imports for
 * the legacy text codecs of QStringConverter. It offers no converter: ucnv_open fails and no name is
 * available, so Qt keeps to its built-in UTF-8/UTF-16/UTF-32/Latin-1 codecs, which is all the client uses.
 * Built and copied into the Wine prefix by scripts/windows.sh; never part of the bundle or the installer:
 * Windows 10 version 1903 and later ship the real ICU. */
#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
typedef uint16_t UChar;
typedef int8_t UBool;
#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

static int failed(UErrorCode *status) {
    if (status && *status <= 0) *status = U_FILE_ACCESS_ERROR;
    return 0;
}

EXPORT void *ucnv_open(const char *name, UErrorCode *status) { (void)name; failed(status); return NULL; }
EXPORT void ucnv_close(void *cnv) { (void)cnv; }
EXPORT void ucnv_reset(void *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const void *cnv) { (void)cnv; return 1; }
EXPORT const char *ucnv_getName(const void *cnv, UErrorCode *status) { (void)cnv; failed(status); return NULL; }
EXPORT void ucnv_getToUCallBack(const void *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const void *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(void *cnv, void *action, const void *context, void **old_action,
                                const void **old_context, UErrorCode *status) {
    (void)cnv; (void)action; (void)context; if (old_action) *old_action = NULL;
    if (old_context) *old_context = NULL;
    failed(status);
}
EXPORT void ucnv_setFromUCallBack(void *cnv, void *action, const void *context, void **old_action,
                                  const void **old_context, UErrorCode *status) {
    (void)cnv; (void)action; (void)context; if (old_action) *old_action = NULL;
    if (old_context) *old_context = NULL;
    failed(status);
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset,
                                  UErrorCode *status) {
    (void)args; (void)source; (void)length; (void)offset; failed(status);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *limit, int32_t offset,
                                    UErrorCode *status) {
    (void)args; (void)source; (void)limit; (void)offset; failed(status);
}
EXPORT void ucnv_toUnicode(void *cnv, UChar **target, const UChar *target_limit, const char **source,
                           const char *source_limit, int32_t *offsets, UBool flush, UErrorCode *status) {
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    failed(status);
}
EXPORT void ucnv_fromUnicode(void *cnv, char **target, const char *target_limit, const UChar **source,
                             const UChar *source_limit, int32_t *offsets, UBool flush, UErrorCode *status) {
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    failed(status);
}
EXPORT int32_t ucnv_toUCountPending(const void *cnv, UErrorCode *status) { (void)cnv; failed(status); return 0; }
EXPORT int32_t ucnv_fromUCountPending(const void *cnv, UErrorCode *status) { (void)cnv; failed(status); return 0; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *status) {
    (void)name; (void)standard; failed(status); return NULL;
}
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
/* The callbacks Qt passes to ucnv_set*Callback; never called since no converter opens. */
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                            int32_t code_point, int reason, UErrorCode *status) {
    (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; (void)status;
}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                          int reason, UErrorCode *status) {
    (void)context; (void)args; (void)units; (void)length; (void)reason; (void)status;
}
