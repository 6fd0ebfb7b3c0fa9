/* Test-only stand-in for bcryptprimitives.dll, which Wine 8.0 lacks: ProcessPrng, the random source of Rust's
 * standard library (pydantic-core, rpds-py), filled from RtlGenRandom. Built and copied into the Wine prefix by
 * scripts/windows.sh; never part of the bundle or the installer: Windows 10 and 11 have the real one. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
