; Homeroom (Sổ Chủ Nhiệm): the Windows installer, per user, needing no administrator.
;
; Compiled by build.ps1 with the version of the wheel it built and the PyInstaller folder it made:
;   iscc /DAppVersion=0.1.0 /DBundleDir=C:\...\dist\homeroom homeroom.iss
; Written against the Inno Setup 6 documentation; it has not been compiled on the project's Linux
; machines (see README.md, "Install at a school").

; UTF-8 files without a BOM (this script, Vietnamese.isl) and x64compatible need 6.3; the
; Vietnamese messages are those of 6.5.
#if VER < EncodeVer(6, 5, 0)
  #error Inno Setup 6.5 or later is needed to compile this script
#endif
#ifndef AppVersion
  #error The version is missing: compile with iscc /DAppVersion=X.Y.Z (build.ps1 passes it)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\homeroom"
#endif

[Setup]
; Never change AppId: an upgrade finds the installed copy, its folder and its uninstaller by it.
AppId={{C66B5213-4BC1-42CB-B7D0-912A9977E1D1}
AppName=Homeroom
AppVersion={#AppVersion}
AppVerName=Homeroom {#AppVersion}
; Without elevation, {autopf} is the user's own %LOCALAPPDATA%\Programs: nothing is written
; where a teacher's account may not write, and no administrator is asked for.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Homeroom
DisableProgramGroupPage=yes
; PyInstaller bundles a 64-bit Python and Qt; Qt 6 runs on Windows 10 1809 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
SetupIconFile=..\..\resources\icons\homeroom.ico
UninstallDisplayIcon={app}\homeroom.exe
UninstallDisplayName=Homeroom — Sổ Chủ Nhiệm
WizardStyle=modern
Compression=lzma2
SolidCompression=yes
OutputDir=..\..\dist
OutputBaseFilename=homeroom-{#AppVersion}-windows-x64-setup
; Vietnamese by default whatever language Windows itself speaks (school PCs often run an
; English Windows); the first dialog lets the teacher pick English instead.
LanguageDetectionMethod=none
ShowLanguageDialog=yes

[Languages]
Name: "vietnamese"; MessagesFile: "Vietnamese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
vietnamese.AppComment=Sổ chủ nhiệm: đơn xin phép, chuyên cần và sổ điểm của lớp
english.AppComment=The homeroom teacher's class book: leave requests, attendance and grades
vietnamese.DeleteDataQuestion=Xóa cả dữ liệu Homeroom trên máy tính này?%n%nThư mục %1 chứa sổ của lớp, cài đặt, nhật ký và các bản sao lưu. Những thay đổi chưa gửi lên máy chủ của trường sẽ mất.%n%nChọn Không để giữ lại: khi cài đặt lại, Homeroom sẽ mở đúng dữ liệu này.
english.DeleteDataQuestion=Also delete Homeroom's data on this computer?%n%nThe folder %1 holds the class records, settings, logs and backups. Changes not yet sent to the school's server will be lost.%n%nChoose No to keep them: Homeroom installed again opens this same data.
vietnamese.DeleteDataFailed=Không xóa được hết thư mục %1. Hãy đóng Homeroom rồi tự xóa thư mục này.
english.DeleteDataFailed=The folder %1 could not be deleted entirely. Close Homeroom, then delete the folder yourself.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces PyInstaller's library folder whole: a library the old version bundled and
; the new one does not must not stay beside the new ones. The data lives elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Homeroom"; Filename: "{app}\homeroom.exe"; Comment: "{cm:AppComment}"
Name: "{autodesktop}\Homeroom"; Filename: "{app}\homeroom.exe"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\homeroom.exe"; Description: "{cm:LaunchProgram,Homeroom}"; Flags: nowait postinstall skipifsilent

[Code]
var
  DeleteData: Boolean;

{ The profile, the settings and the logs: desktop/paths.py takes them from platformdirs'
  user_data_dir and user_config_dir ("homeroom", appauthor=False), which on Windows are both
  this one folder. }
function DataDir: String;
begin
  Result := ExpandConstant('{localappdata}\homeroom');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  ResultCode: Integer;
begin
  case CurUninstallStep of
    usUninstall:
      begin
        { Asked before the files go, while homeroom.exe is still there to forget the sign-in
          token it keeps in the Windows Credential Manager. A silent uninstall (an upgrade
          script, an IT tool) keeps the data. }
        DeleteData := False;
        if (not UninstallSilent) and DirExists(DataDir) then
          DeleteData := MsgBox(FmtMessage(CustomMessage('DeleteDataQuestion'), [DataDir]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
        if DeleteData then
          Exec(ExpandConstant('{app}\homeroom.exe'), 'logout', '', SW_HIDE,
            ewWaitUntilTerminated, ResultCode);
      end;
    usPostUninstall:
      { Nested rather than one "and": nothing may run DelTree unless the teacher said yes. }
      if DeleteData then
        if not DelTree(DataDir, True, True, True) then
          MsgBox(FmtMessage(CustomMessage('DeleteDataFailed'), [DataDir]), mbError, MB_OK);
  end;
end;
