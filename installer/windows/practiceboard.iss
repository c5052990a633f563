; PracticeBoard for Windows: wraps the one-folder build (dist\PracticeBoard, made by
; installer\practiceboard.spec) into dist\PracticeBoard-Setup-<version>.exe.
;
; Build on a Windows PC with Python 3.11+ and Inno Setup 6 (installer/README.md):
;   py -m pip install -e ".[dist]"  &&  py -m PyInstaller --noconfirm --clean installer\practiceboard.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" installer\windows\practiceboard.iss
;
; tests/test_installer.py reads the #define lines below and checks them against the
; spec, the package version and the app's own folder names: change them together.

#define AppName "PracticeBoard"
#define AppVersion "0.1.0"
#define AppExe "PracticeBoard.exe"
#define CliExe "practiceboard-cli.exe"
#define BuildDir "..\..\dist\PracticeBoard"
#define OutputDir "..\..\dist"
#define IconFile "practiceboard.ico"
; The folder every Windows account on this PC shares (practiceboard.core.paths.machine_dir).
#define SharedDir "{commonappdata}\PracticeBoard"
; The local group that may use it, besides administrators and the system.
#define StaffGroup "PracticeBoard Users"
; The per-person "start at sign-in" value the app itself writes (core/autostart.py).
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"
#define RunValue "PracticeBoard"

[Setup]
AppId={{6F3B9E2A-41C7-4D8E-9A55-0C2B7D41E8F3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per machine, under Program Files; installing needs an administrator.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
SetupIconFile={#IconFile}
OutputDir={#OutputDir}
OutputBaseFilename=PracticeBoard-Setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; An update closes a running PracticeBoard first (Restart Manager) and reopens it after.
CloseApplications=yes
RestartApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "startatsignin"; Description: "Start PracticeBoard when anyone signs in to this PC (so alerts keep coming)"; GroupDescription: "Starting:"; Flags: unchecked
Name: "everyaccount"; Description: "Every Windows account on this PC may use the shared PracticeBoard folder (otherwise only the ""{#StaffGroup}"" group and administrators)"; GroupDescription: "Shared files ({#SharedDir}):"; Flags: unchecked

[Dirs]
; Data is never removed by the uninstaller: the database, audit keys, backups and reports.
Name: "{#SharedDir}"; Flags: uninsneveruninstall
Name: "{#SharedDir}\audit-keys"; Flags: uninsneveruninstall
Name: "{#SharedDir}\backups"; Flags: uninsneveruninstall
Name: "{#SharedDir}\Reports"; Flags: uninsneveruninstall

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Your practice's task board, approvals and care plans"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon
Name: "{commonstartup}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: startatsignin

[Run]
; The shared folder's access list: SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) in
; full, the staff group may change files; nothing inherited from ProgramData (where every
; user may read). SIDs, not names, so it works on a Windows in any language. "net" fails
; harmlessly when the group or membership already exists (an update).
Filename: "{sys}\net.exe"; Parameters: "localgroup ""{#StaffGroup}"" /add /comment:""May use PracticeBoard's shared files on this PC"""; Flags: runhidden waituntilterminated; StatusMsg: "Setting up the shared PracticeBoard folder..."
Filename: "{sys}\net.exe"; Parameters: "localgroup ""{#StaffGroup}"" ""{username}"" /add"; Flags: runhidden waituntilterminated
Filename: "{sys}\icacls.exe"; Parameters: """{#SharedDir}"" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F ""{#StaffGroup}"":(OI)(CI)M"; Flags: runhidden waituntilterminated
; Users (S-1-5-32-545): every account on this PC, when the task was chosen.
Filename: "{sys}\icacls.exe"; Parameters: """{#SharedDir}"" /grant:r *S-1-5-32-545:(OI)(CI)M"; Tasks: everyaccount; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
    { The uninstalling person's own "start at sign-in" (others' lapse harmlessly). }
    RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', '{#RunValue}');
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent() then
    MsgBox('PracticeBoard is removed. Its data is kept:' + #13#10#13#10 +
      ExpandConstant('{#SharedDir}') +
      ' - the shared database, audit keys, backups and reports;' + #13#10 +
      'and each person''s own folder, %LOCALAPPDATA%\PracticeBoard.' + #13#10#13#10 +
      'Installing PracticeBoard again finds it there. Delete these folders only when ' +
      'nobody needs the data or its backups any more.', mbInformation, MB_OK);
end;
