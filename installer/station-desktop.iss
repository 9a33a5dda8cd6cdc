; Windows installer for station-desktop (Inno Setup 6).
;
; Build the program folder first (it also writes version.iss beside this file):
;     python installer\build.py
; then compile:
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\station-desktop.iss
; The version can also be given on the command line: ISCC /DAppVersion=0.1.0 ...
;
; Decisions (docs/decisions.md, "Packaging"):
; - Installs per user by default ({autopf} = %LOCALAPPDATA%\Programs): no administrator
;   password is needed on a village PC; an administrator may choose "all users" instead.
; - The program keeps its data in platformdirs' user_data_dir("station-desktop",
;   appauthor=False) = %LOCALAPPDATA%\station-desktop (database, keys, backups, settings,
;   logs), never under the install folder, so upgrades and uninstalls leave it alone.
; - An upgrade first removes the previous version's _internal folder, so no stale library
;   or module of an older build survives beside the new one.
; - Uninstalling keeps the data unless the user answers "是" to a question that names the
;   folder (default answer: keep). A silent uninstall never deletes data.

#if FileExists(AddBackslash(SourcePath) + "version.iss")
  #include AddBackslash(SourcePath) + "version.iss"
#endif
#ifndef AppVersion
  #error AppVersion is not set: run installer\build.py first (it writes version.iss), or pass /DAppVersion=x.y.z
#endif

#define AppName "退役军人服务站管理"
#define AppExeName "station-desktop.exe"
#define DistDir AddBackslash(SourcePath) + "..\dist\station-desktop"
; Where the program keeps its data on Windows (see the header).
#define DataDirName "station-desktop"

[Setup]
; Fixed for ever: Windows recognises upgrades and the uninstaller by it. Never change it.
AppId={{3CC94BC9-9833-42A4-B8FC-2D1382127A44}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=station-desktop
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\StationDesktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
; Qt 6 needs 64-bit Windows 10 or later.
MinVersion=10.0
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=station-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
; A running copy holds its files open: let Setup close it (Restart Manager), not restart it.
CloseApplications=yes
RestartApplications=no
SetupLogging=yes

[Languages]
; Simplified Chinese: Inno Setup's own translation when this compiler has it, or a copy
; placed beside this script; otherwise the English messages with the Chinese overrides below.
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chs"; MessagesFile: "ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #define NoChineseMessages
Name: "chs"; MessagesFile: "compiler:Default.isl"
#endif

#ifdef NoChineseMessages
[LangOptions]
LanguageName=简体中文
LanguageID=$0804
DialogFontName=Microsoft YaHei UI

[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=%1 卸载
InformationTitle=信息
ConfirmTitle=确认
ErrorTitle=错误
SetupAppRunningError=安装程序发现 %1 正在运行。%n%n请先关闭它，然后点“确定”继续，或点“取消”退出。
UninstallAppRunningError=卸载程序发现 %1 正在运行。%n%n请先关闭它，然后点“确定”继续，或点“取消”退出。
PrivilegesRequiredOverrideInstruction=选择安装方式
PrivilegesRequiredOverrideTaskDialogText1=%1 可以为所有用户安装（需要管理员权限），也可以只为您安装。
PrivilegesRequiredOverrideMsgBoxText1=%1 可以为所有用户安装（推荐，需要管理员权限），也可以只为您安装。%n%n要为所有用户安装吗？
PrivilegesRequiredOverrideTaskDialogText2=%1 可以只为您安装，也可以为所有用户安装（需要管理员权限）。
PrivilegesRequiredOverrideMsgBoxText2=%1 可以只为您安装（推荐），也可以为所有用户安装（需要管理员权限）。%n%n只为您安装吗？
PrivilegesRequiredOverrideAllUsers=为所有用户安装(&A)
PrivilegesRequiredOverrideCurrentUser=只为我安装(&M)
PrivilegesRequiredOverrideRecommended=%1（推荐）
ExitSetupTitle=退出安装
ExitSetupMessage=安装尚未完成。如果现在退出，程序将不会被安装。%n%n您可以以后再运行安装程序完成安装。%n%n要退出安装吗？
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonYesToAll=全是(&A)
ButtonNo=否(&N)
ButtonNoToAll=全否(&O)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ButtonNewFolder=新建文件夹(&M)
ClickNext=点“下一步”继续，或点“取消”退出安装。
BrowseDialogTitle=浏览文件夹
BrowseDialogLabel=在下面的列表中选择一个文件夹，然后点“确定”。
NewFolderName=新建文件夹
WelcomeLabel1=欢迎使用 [name] 安装向导
WelcomeLabel2=现在将安装 [name/ver] 到您的电脑中。%n%n建议您在继续之前关闭其他所有程序。
WizardSelectDir=选择安装位置
SelectDirDesc=[name] 要安装到哪里？
SelectDirLabel3=安装程序将把 [name] 安装到下面的文件夹中。
SelectDirBrowseLabel=点“下一步”继续。如果要选择其他文件夹，请点“浏览”。
DiskSpaceMBLabel=至少需要 [mb] MB 的可用磁盘空间。
DirExistsTitle=文件夹已存在
DirExists=文件夹：%n%n%1%n%n已经存在。仍然要安装到这个文件夹吗？
DirDoesntExistTitle=文件夹不存在
DirDoesntExist=文件夹：%n%n%1%n%n不存在。要创建这个文件夹吗？
WizardSelectTasks=选择附加任务
SelectTasksDesc=要执行哪些附加任务？
SelectTasksLabel2=请选择安装 [name] 时要执行的附加任务，然后点“下一步”。
WizardReady=准备安装
ReadyLabel1=安装程序已准备好把 [name] 安装到您的电脑中。
ReadyLabel2a=点“安装”开始安装。如果要检查或修改设置，请点“上一步”。
ReadyLabel2b=点“安装”开始安装。
ReadyMemoDir=安装位置：
ReadyMemoTasks=附加任务：
WizardPreparing=正在准备安装
PreparingDesc=安装程序正在准备把 [name] 安装到您的电脑中。
ApplicationsFound=下列程序正在使用需要更新的文件。建议让安装程序自动关闭这些程序。
ApplicationsFound2=下列程序正在使用需要更新的文件。建议让安装程序自动关闭这些程序。安装完成后，安装程序会尝试重新启动它们。
CloseApplications=自动关闭这些程序(&A)
DontCloseApplications=不关闭这些程序(&D)
WizardInstalling=正在安装
InstallingLabel=正在把 [name] 安装到您的电脑中，请稍候。
FinishedHeadingLabel=[name] 安装完成
FinishedLabelNoIcons=[name] 已安装到您的电脑中。
FinishedLabel=[name] 已安装到您的电脑中。可以通过桌面或开始菜单中的快捷方式启动。
ClickFinish=点“完成”退出安装。
RunEntryExec=运行 %1
SetupAborted=安装没有完成。%n%n请解决问题后重新运行安装程序。
StatusClosingApplications=正在关闭程序...
StatusCreateDirs=正在创建文件夹...
StatusExtractFiles=正在解压文件...
StatusCreateIcons=正在创建快捷方式...
StatusSavingUninstall=正在保存卸载信息...
StatusRunProgram=正在完成安装...
StatusRollback=正在撤销更改...
ConfirmUninstall=确定要完全删除 %1 及其所有组件吗？
UninstallStatusLabel=正在从您的电脑中删除 %1，请稍候。
UninstalledAll=%1 已从您的电脑中删除。
WizardUninstalling=卸载状态
StatusUninstalling=正在卸载 %1...
#endif

[CustomMessages]
CreateDesktopIcon=在桌面上创建快捷方式(&D)
AdditionalIcons=快捷方式：
LaunchProgram=运行 %1
DemoShortcut={#AppName}（演示）
ShortcutComment=村/社区退役军人服务站：建档立卡、走访慰问、帮扶台账
AskDeleteData=要同时删除本机的服务站数据吗？%n%n数据包括人员档案、走访和帮扶记录、自动备份、密钥和设置，位于：%n%1%n%n只是重装或升级程序时，请选“否”。删除后无法恢复；如需删除，请先在“设置”页把数据备份到U盘。
AskDeleteDataAgain=再次确认：永久删除 %1 中的全部服务站数据？

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; Leftovers of the previous version: the whole library folder is replaced, never merged.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{cm:ShortcutComment}"
Name: "{autoprograms}\{cm:DemoShortcut}"; Filename: "{app}\{#AppExeName}"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{cm:ShortcutComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there; the data folder is handled in [Code] below.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
function DataDir(): String;
begin
  { platformdirs.user_data_dir("station-desktop", appauthor=False) on Windows }
  Result := ExpandConstant('{localappdata}\{#DataDirName}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Dir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  Dir := DataDir();
  { Never delete data without a person saying so: not in a silent uninstall. }
  if UninstallSilent() or not DirExists(Dir) then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('AskDeleteData'), [Dir]), mbConfirmation,
            MB_YESNO or MB_DEFBUTTON2) <> IDYES then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('AskDeleteDataAgain'), [Dir]), mbError,
            MB_YESNO or MB_DEFBUTTON2) <> IDYES then
    Exit;
  DelTree(Dir, True, True, True);
end;
