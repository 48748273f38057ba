@echo off
rem srouter launcher for a source checkout on Windows: builds target\srouter.jar with Maven if
rem it is missing (it does not check whether the sources are newer: use the bash launcher
rem ./srouter or run "mvn -B -q -DskipTests package" after changing them), then runs it.
rem JAVA_HOME and SROUTER_JAVA_OPTS are honoured as by ./srouter.
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%target\srouter.jar"
if exist "%JAR%" goto run
echo srouter: building target\srouter.jar (mvn -B -q -DskipTests package) ... 1>&2
pushd "%ROOT%"
call mvn -B -q -DskipTests package 1>&2
set "RC=%ERRORLEVEL%"
popd
if not "%RC%"=="0" (
  echo srouter: build failed ^(mvn exit code %RC%^) 1>&2
  exit /b %RC%
)
:run
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
"%JAVA%" -XX:+UseSerialGC -Xshare:auto %SROUTER_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
