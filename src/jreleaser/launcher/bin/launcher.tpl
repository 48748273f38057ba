#!/usr/bin/env bash
# srouter {{projectVersion}} launcher of a release archive (JReleaser template src/jreleaser/launcher/bin/launcher.tpl,
# the same for the archive with its own Java runtime and the one that needs Java 17+).
#
#   JAVA_HOME          the Java to use when the archive has no runtime of its own (else java on PATH);
#                      an archive with a runtime (bin/java beside this script) always uses that one
#   SROUTER_JAVA_OPTS  extra JVM options (e.g. -Xmx2g); they come last, so they override ours
#   SROUTER_NO_CDS=1   neither create nor use the class-data-sharing archive
#
# Class-data sharing: the first run makes an archive of the classes a short training run loads (a
# route of routes-example.yaml, about two seconds, once), under $XDG_CACHE_HOME/srouter/cds (else
# ~/.cache/srouter/cds), since the install directory may not be writable; later runs map it and
# start faster. The JVM ignores an archive that does not match its jar or Java (-Xshare:auto).
set -euo pipefail

src="${BASH_SOURCE[0]}"
while [ -L "$src" ]; do
    dir="$(cd -P "$(dirname "$src")" && pwd)"
    src="$(readlink "$src")"
    case "$src" in /*) ;; *) src="$dir/$src" ;; esac
done
home="$(cd -P "$(dirname "$src")/.." && pwd)"

if [ -x "$home/bin/java" ]; then
    java="$home/bin/java"
    classpath="$home/jars/*"
elif [ -n "${JAVA_HOME:-}" ]; then
    java="$JAVA_HOME/bin/java"
    classpath="$home/lib/*"
else
    java="java"
    classpath="$home/lib/*"
fi
if ! command -v "$java" >/dev/null 2>&1; then
    echo "srouter: no Java found: install Java 17 or newer, or set JAVA_HOME (or take the archive for your platform, which brings its own)" >&2
    exit 1
fi

flags=(-Xshare:auto)
case " ${SROUTER_JAVA_OPTS:-} " in
    *-XX:+Use*GC*) ;; # the user chose a collector; two would make the JVM refuse to start
    *) flags+=(-XX:+UseSerialGC) ;;
esac
set -f
# shellcheck disable=SC2206
user_opts=(${SROUTER_JAVA_OPTS:-})
set +f

if [ -z "${SROUTER_NO_CDS:-}" ]; then
    cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/srouter/cds"
    key="$(printf '%s' "$home" | cksum | cut -d' ' -f1)"
    jsa="$cache/srouter-{{projectVersion}}-$key.jsa"
    log=(-Xlog:disable -Xlog:all=warning,cds*=off:stderr)
    if [ ! -e "$jsa" ] && mkdir -p "$cache" 2>/dev/null; then
        tmp="$jsa.$$.tmp"
        if "$java" "${flags[@]}" "${log[@]}" ${user_opts[@]+"${user_opts[@]}"} -XX:ArchiveClassesAtExit="$tmp" -cp "$classpath" \
            dev.srouter.Main route -r "$home/routes-example.yaml" --cache-dir "$cache/training-cache" -o json "hello" \
            </dev/null >/dev/null 2>&1 && [ -s "$tmp" ]; then
            mv -f "$tmp" "$jsa"
        else
            rm -f "$tmp"
            : >"$jsa" # failed: an empty file, so it is not retried on every run
        fi
    fi
    if [ -s "$jsa" ]; then
        flags+=("-XX:SharedArchiveFile=$jsa" "${log[@]}")
    fi
fi

exec "$java" "${flags[@]}" ${user_opts[@]+"${user_opts[@]}"} -cp "$classpath" dev.srouter.Main "$@"
