; Inno Setup 6 script: the per-user installer of the Inspector desktop client (no administrator rights needed).
;
; Input:  the one-folder bundle dist\Inspector\ built on Windows with build.spec (see docs\packaging.md).
; Output: dist\installer\Inspector-<version>-setup.exe
; Build:  "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\inspector.iss
;         (without /DAppVersion the version is read from Inspector.exe's version resource, which build.spec sets
;         from the package metadata).
;
; Installs into %LOCALAPPDATA%\Programs\Inspector, adds a Start-menu entry (and, if chosen, a desktop icon), and
; registers an uninstaller for this user. The uninstaller removes only the program files: the user's data folder
; (%LOCALAPPDATA%\Inspector\Inspector: database, photos, logs, backups) lies outside the program folder and is
; kept, as is the sync token in the Windows Credential Manager.
; This file is UTF-8 with a byte-order mark, so that Inno Setup reads its Chinese text correctly.

#define AppName "巡查 Inspector"
#define AppExeName "Inspector.exe"
#define BundleDir "..\..\dist\Inspector"
#ifndef AppVersion
  #define ExePath AddBackslash(SourcePath) + BundleDir + "\" + AppExeName
  #if !FileExists(ExePath)
    #error dist\Inspector\Inspector.exe not found: build the bundle with build.spec first (docs\packaging.md)
  #endif
  #define AppVersion GetVersionNumbersString(ExePath)
#endif

[Setup]
; The AppId identifies the app across versions (upgrades, uninstall): never change it.
AppId={{AA085740-7EBB-4BDB-B1FC-FEF08C805764}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Inspector
VersionInfoVersion={#AppVersion}
; Per-user install: no elevation prompt; {autopf} is then %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Inspector
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 uses the ICU that Windows ships as icu.dll since Windows 10 version 1903 (build 18362); older builds
; (e.g. Windows 10 LTSC 1809) cannot start it, so the installer refuses them with a clear message.
MinVersion=10.0.18362
OutputDir=..\..\dist\installer
OutputBaseFilename=Inspector-{#AppVersion}-setup
SetupIconFile=..\icons\inspector.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An Inspector that is still running is asked to close before its files are replaced.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Chinese (Simplified) when this Inno Setup has the translation (it is an add-on in some releases).
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define HaveChinese
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[CustomMessages]
DataKept=Your inspection data (database, photos, backups) is kept in %1.%nDelete that folder yourself only when it is no longer needed.
#ifdef HaveChinese
chinesesimplified.DataKept=检查数据（数据库、照片、备份）仍保留在 %1。%n确认不再需要后，可自行删除该文件夹。
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle, so no library of the old version is left beside the new ones.
; Only program files live here; the user's data folder is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section on purpose: the uninstaller removes what it installed and nothing of the user's.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\Inspector')]), mbInformation, MB_OK);
end;
