/*
 * bcryptprimitives.dll for Wine 8: Rust >= 1.78's std imports ProcessPrng from
 * it, which Wine 8 lacks (the process exits with code 53 before main). This stub
 * exports ProcessPrng and forwards to advapi32's RtlGenRandom (SystemFunction036).
 * Built by tests/tests/firstboot_wine.rs with x86_64-w64-mingw32-gcc.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
