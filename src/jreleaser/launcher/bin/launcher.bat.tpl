@rem srouter {{projectVersion}} launcher of a release archive for Windows (JReleaser template
@rem src/jreleaser/launcher/bin/launcher.bat.tpl). The archive's own runtime when it has one (bin\java.exe),
@rem else JAVA_HOME, else java on the PATH; SROUTER_JAVA_OPTS adds JVM options (e.g. -Xmx2g).
@echo off
setlocal
set "SROUTER_HOME=%~dp0.."
set "SROUTER_CP=%SROUTER_HOME%\lib\*"
if defined JAVA_HOME goto javahome
set "SROUTER_JAVA=java.exe"
goto own
:javahome
set "SROUTER_JAVA=%JAVA_HOME%\bin\java.exe"
:own
if not exist "%SROUTER_HOME%\bin\java.exe" goto run
set "SROUTER_JAVA=%SROUTER_HOME%\bin\java.exe"
set "SROUTER_CP=%SROUTER_HOME%\jars\*"
:run
"%SROUTER_JAVA%" -Xshare:auto %SROUTER_JAVA_OPTS% -cp "%SROUTER_CP%" dev.srouter.Main %*
exit /b %ERRORLEVEL%
