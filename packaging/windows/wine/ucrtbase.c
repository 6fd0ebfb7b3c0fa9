/* Test-only stand-in for ucrtbase.dll under Wine 8.0, whose C runtime leaves the complex-number accessors as stubs
 * that abort the process: numpy (pyqtgraph's) calls crealf at import. This DLL implements those and forwards every
 * other export to Wine's own C runtime, copied beside it as ucrtwine.dll (scripts/windows.sh writes the forwards
 * from that copy's export table). Built and copied into the Wine prefixes by scripts/windows.sh, loaded there with
 * WINEDLLOVERRIDES=ucrtbase=n,b; never part of the bundle or the installer: Windows 10 and 11 have the real one. */

/* MSVC's _Fcomplex and _Dcomplex (long double is double there, so _Lcomplex is _Dcomplex's layout). */
typedef struct { float re, im; } Fcomplex;
typedef struct { double re, im; } Dcomplex;

__declspec(dllexport) float crealf(Fcomplex z) { return z.re; }
__declspec(dllexport) float cimagf(Fcomplex z) { return z.im; }
__declspec(dllexport) double creal(Dcomplex z) { return z.re; }
__declspec(dllexport) double cimag(Dcomplex z) { return z.im; }
__declspec(dllexport) double creall(Dcomplex z) { return z.re; }
__declspec(dllexport) double cimagl(Dcomplex z) { return z.im; }
