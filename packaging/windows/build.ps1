<#
.SYNOPSIS
Builds Homeroom's Windows installer and proves it on this computer.

.DESCRIPTION
From a clone of the repository, in PowerShell 7 (pwsh) or Windows PowerShell 5.1:

    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1

1. The checks, in a virtual environment of the checkout: ruff, mypy, and pytest with Qt
   offscreen. The PostgreSQL tests skip themselves (tests/server/conftest.py looks for a
   cluster under /usr/lib/postgresql and HOMEROOM_TEST_PG_URL is cleared); the real-keyring
   tests are deselected with -m "not keyring" (they need Linux's Secret Service); the SIGKILL
   tests are deselected (Windows has no such signal).
2. The wheel, built from a copy of the files git sees (a stale build\ folder cannot slip in).
3. A fresh virtual environment with only that wheel and PyInstaller, where
   packaging\homeroom.spec makes the one-folder app (homeroom.exe and its _internal\ folder).
4. The installer, compiled by Inno Setup's ISCC from homeroom.iss: dist\homeroom-VERSION-windows-x64-setup.exe.
5. The proof, unless -SkipInstallCheck: the installer run silently for the current user (no
   administrator), the installed homeroom.exe's --version and --self-test, then a silent
   uninstall, which must remove the program and its shortcuts and keep the teacher's data.

Any failing step stops the build with a non-zero exit code. Written against the documentation
of PowerShell, PyInstaller and Inno Setup; it has not been run on the project's Linux machines.

.PARAMETER Python
The Python (3.11 or later, 64-bit) that makes the virtual environments.

.PARAMETER Iscc
ISCC.exe of Inno Setup 6.5 or later; by default found on PATH or in Inno Setup's usual folders.

.PARAMETER SkipTests
Skip ruff, mypy and pytest (a rebuild after a green run).

.PARAMETER SkipInstallCheck
Only build the installer: nothing is installed on this computer.
#>
[CmdletBinding()]
param(
    [string]$Python = 'python',
    [string]$Iscc = '',
    [switch]$SkipTests,
    [switch]$SkipInstallCheck
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$PyInstallerRequirement = 'pyinstaller>=6.16,<7'
# Their signals do not exist on Windows (Popen.kill() would be the portable call).
$PosixOnlyTests = @(
    'tests/services/test_crash_consistency.py::test_random_kills_never_leave_a_half_written_change',
    'tests/sync_faults/test_interruptions.py::test_a_client_killed_mid_sync_at_random_moments_converges_afterwards',
    'tests/sync_faults/test_interruptions.py::test_a_server_process_killed_mid_push_converges_after_its_restart'
)

$Root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
$Iss = Join-Path $PSScriptRoot 'homeroom.iss'
$Dist = Join-Path $Root 'dist'
$Work = Join-Path $Root 'build\windows'

function Write-Phase([string]$What) {
    Write-Host "build.ps1: $What ($(Get-Date -Format HH:mm:ss))"
}

# PowerShell does not stop on a program's non-zero exit code by itself. The output goes to the
# console, not into the caller's return value.
function Invoke-Checked([string]$FilePath, [string[]]$ArgumentList) {
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath $($ArgumentList -join ' ') exited with $LASTEXITCODE"
    }
}

# Start-Process -Wait waits for the program and gives its exit code even where the call operator
# would not wait (a windowed program); the output is kept in build\windows\NAME.*.txt.
function Invoke-App([string]$FilePath, [string[]]$ArgumentList, [string]$Name) {
    $out = Join-Path $Work "$Name.out.txt"
    $err = Join-Path $Work "$Name.err.txt"
    $process = Start-Process -FilePath $FilePath -ArgumentList $ArgumentList -Wait -PassThru `
        -NoNewWindow -RedirectStandardOutput $out -RedirectStandardError $err
    Get-Content -LiteralPath $out, $err -Encoding UTF8 | Write-Host
    if ($process.ExitCode -ne 0) {
        throw "$Name ($FilePath $($ArgumentList -join ' ')) exited with $($process.ExitCode)"
    }
}

function Wait-Until([scriptblock]$Condition, [int]$Seconds, [string]$What) {
    $deadline = (Get-Date).AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ((Get-Date) -gt $deadline) {
            throw "still waiting after $Seconds s for $What"
        }
        Start-Sleep -Milliseconds 500
    }
}

function Find-Iscc {
    if ($Iscc) {
        return $Iscc
    }
    $onPath = Get-Command 'iscc.exe' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) {
        return $onPath.Source
    }
    # Chocolatey's innosetup and Inno Setup's own installer (for all users or only this one).
    foreach ($folder in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, (Join-Path $env:LOCALAPPDATA 'Programs'))) {
        foreach ($edition in @('Inno Setup 6', 'Inno Setup 7')) {
            if ($folder) {
                $candidate = Join-Path $folder "$edition\ISCC.exe"
                if (Test-Path -LiteralPath $candidate) {
                    return $candidate
                }
            }
        }
    }
    throw 'ISCC.exe was not found: install Inno Setup 6.5 or later, or pass -Iscc C:\path\to\ISCC.exe'
}

function New-Venv([string]$Folder) {
    Invoke-Checked $Python @('-m', 'venv', $Folder)
    $venvPython = Join-Path $Folder 'Scripts\python.exe'
    Invoke-Checked $venvPython @('-m', 'pip', 'install', '--quiet', '--upgrade', 'pip')
    return $venvPython
}

if (Test-Path -LiteralPath $Work) {
    Remove-Item -LiteralPath $Work -Recurse -Force
}
New-Item -ItemType Directory -Path $Work, $Dist -Force | Out-Null
Set-Location $Root
Remove-Item Env:HOMEROOM_DATA_DIR, Env:HOMEROOM_CONFIG_DIR, Env:HOMEROOM_LANG, Env:HOMEROOM_TODAY, `
    Env:HOMEROOM_TEST_PG_URL, Env:HOMEROOM_REAL_KEYRING, Env:PYTHONPATH -ErrorAction SilentlyContinue

if (-not $SkipTests) {
    Write-Phase 'checks: ruff, mypy, pytest'
    $devPython = New-Venv (Join-Path $Work 'venv-dev')
    Invoke-Checked $devPython @('-m', 'pip', 'install', '--quiet', '-e', '.[dev,server]')
    $scripts = Join-Path $Work 'venv-dev\Scripts'
    Invoke-Checked (Join-Path $scripts 'ruff.exe') @('check', '.')
    Invoke-Checked (Join-Path $scripts 'mypy.exe') @()
    $env:QT_QPA_PLATFORM = 'offscreen'
    # The suite passes Vietnamese text through pipes and files, as on Linux's UTF-8 locale.
    $env:PYTHONUTF8 = '1'
    $deselect = $PosixOnlyTests | ForEach-Object { '--deselect'; $_ }
    Invoke-Checked $devPython (@('-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-m', 'not keyring') + $deselect)
    Remove-Item Env:QT_QPA_PLATFORM, Env:PYTHONUTF8
}

Write-Phase 'wheel from the checkout'
$src = Join-Path $Work 'src'
$listed = & git -C $Root -c core.quotepath=off ls-files --cached --others --exclude-standard
if ($LASTEXITCODE -ne 0) {
    throw 'git ls-files failed: build.ps1 builds from a git checkout'
}
foreach ($name in $listed) {
    $from = Join-Path $Root $name
    # A tracked file deleted in the work tree is not part of this build.
    if (Test-Path -LiteralPath $from -PathType Leaf) {
        $to = Join-Path $src $name
        New-Item -ItemType Directory -Path (Split-Path -Parent $to) -Force | Out-Null
        Copy-Item -LiteralPath $from -Destination $to
    }
}
$buildPython = New-Venv (Join-Path $Work 'venv-build')
$wheelDir = Join-Path $Work 'wheel'
Invoke-Checked $buildPython @('-m', 'pip', 'wheel', '--quiet', '--no-deps', '--wheel-dir', $wheelDir, $src)
$wheels = @(Get-ChildItem -LiteralPath $wheelDir -Filter 'homeroom-*.whl')
if ($wheels.Count -ne 1) {
    throw "expected one homeroom wheel in $wheelDir, found $($wheels.Count)"
}

Write-Phase 'clean environment: the wheel and PyInstaller'
Invoke-Checked $buildPython @('-m', 'pip', 'install', '--quiet', $wheels[0].FullName, $PyInstallerRequirement)
# Away from the checkout (and its homeroom.egg-info), so that only the installed wheel answers.
Push-Location $Work
try {
    $version = & $buildPython -c "from importlib.metadata import version; print(version('homeroom'))"
    if ($LASTEXITCODE -ne 0 -or -not $version) {
        throw 'the installed wheel has no version'
    }
    $version = $version.Trim()
    Write-Phase "PyInstaller (homeroom $version)"
    Invoke-Checked (Join-Path $Work 'venv-build\Scripts\pyinstaller.exe') @(
        '--noconfirm', '--clean', '--log-level', 'WARN',
        '--distpath', (Join-Path $Work 'dist'), '--workpath', (Join-Path $Work 'pyinstaller'),
        (Join-Path $src 'packaging\homeroom.spec'))
} finally {
    Pop-Location
}
$bundle = Join-Path $Work 'dist\homeroom'
Invoke-App (Join-Path $bundle 'homeroom.exe') @('--version') 'bundle-version'

Write-Phase 'installer'
Invoke-Checked (Find-Iscc) @('/Q', "/DAppVersion=$version", "/DBundleDir=$bundle", $Iss)
$installer = Join-Path $Dist "homeroom-$version-windows-x64-setup.exe"
if (-not (Test-Path -LiteralPath $installer)) {
    throw "ISCC did not make $installer"
}

if ($SkipInstallCheck) {
    Write-Phase "built $installer (not installed: -SkipInstallCheck)"
    exit 0
}

Write-Phase 'silent per-user install'
$appId = (Select-String -LiteralPath $Iss -Pattern '^AppId=\{\{([0-9A-F-]+)\}').Matches[0].Groups[1].Value
$uninstallKey = "HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\{$appId}_is1"
if (Test-Path -LiteralPath $uninstallKey) {
    throw ('Homeroom is already installed for this Windows user; the check would upgrade and ' +
        'then uninstall it. Uninstall it first, or pass -SkipInstallCheck.')
}
$expectedDir = Join-Path $env:LOCALAPPDATA 'Programs\Homeroom'
$dataDir = Join-Path $env:LOCALAPPDATA 'homeroom'
# Only a data folder this check made is written to and removed: never a teacher's real profile.
$ownDataDir = -not (Test-Path -LiteralPath $dataDir)
$shortcuts = @(
    (Join-Path ([Environment]::GetFolderPath('Programs')) 'Homeroom.lnk'),
    (Join-Path ([Environment]::GetFolderPath('DesktopDirectory')) 'Homeroom.lnk')
)
$uninstaller = Join-Path $expectedDir 'unins000.exe'
$installed = $false
try {
    Invoke-App $installer @('/VERYSILENT', '/SUPPRESSMSGBOXES', '/NORESTART', "/LOG=`"$Work\setup.log`"") 'setup'
    $installed = $true
    $location = (Get-ItemProperty -LiteralPath $uninstallKey).InstallLocation.TrimEnd('\')
    if ($location -ne $expectedDir) {
        throw "installed in $location instead of the per-user $expectedDir"
    }
    foreach ($shortcut in $shortcuts) {
        if (-not (Test-Path -LiteralPath $shortcut)) {
            throw "the installer made no shortcut $shortcut"
        }
    }
    $exe = Join-Path $expectedDir 'homeroom.exe'
    Invoke-App $exe @('--version') 'installed-version'
    $said = (Get-Content -LiteralPath (Join-Path $Work 'installed-version.out.txt') -Raw).Trim()
    if ($said -ne "homeroom $version") {
        throw "the installed app says '$said', not 'homeroom $version'"
    }
    Write-Phase 'self-test of the installed app'
    Invoke-App $exe @('--self-test') 'installed-self-test'

    Write-Phase 'silent uninstall'
    if ($ownDataDir) {
        New-Item -ItemType Directory -Path $dataDir -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $dataDir 'kept-by-uninstall.txt') -Value 'build.ps1'
    }
    Invoke-App $uninstaller @('/VERYSILENT', '/SUPPRESSMSGBOXES', '/NORESTART', "/LOG=`"$Work\uninstall.log`"") 'uninstall'
    # unins000.exe returns while its copy in %TEMP% (_unins.tmp) finishes the last steps.
    Wait-Until { -not (Get-CimInstance Win32_Process -Filter "Name = '_unins.tmp'") } 120 'the uninstaller to finish'
    $installed = $false
    foreach ($gone in @($exe, $uninstallKey) + $shortcuts) {
        if (Test-Path -LiteralPath $gone) {
            throw "the uninstaller left $gone"
        }
    }
    if ($ownDataDir -and -not (Test-Path -LiteralPath (Join-Path $dataDir 'kept-by-uninstall.txt'))) {
        throw "the silent uninstall deleted the data folder $dataDir"
    }
} finally {
    if ($installed -and (Test-Path -LiteralPath $uninstaller)) {
        Start-Process -FilePath $uninstaller -ArgumentList '/VERYSILENT', '/SUPPRESSMSGBOXES', '/NORESTART' -Wait
    }
    if ($ownDataDir -and (Test-Path -LiteralPath $dataDir)) {
        Remove-Item -LiteralPath $dataDir -Recurse -Force
    }
}
Write-Phase "$installer installs, passes its self-test and uninstalls"
