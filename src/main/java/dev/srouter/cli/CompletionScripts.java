package dev.srouter.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion scripts generated from the command model: every command, every option, the
 * values of options that take a fixed set ({@link CompletionValues}), files and directories where
 * an option takes a path, and route names for {@code --filter}, which the scripts ask of {@code
 * srouter completion --list-routes} for the routes file on the line.
 *
 * <p>bash and zsh share one script (zsh runs it through {@code bashcompinit}); fish has its own.
 * The committed copies in {@code completions/} are kept equal to these by {@code CompletionsTest}.
 */
final class CompletionScripts {
    private CompletionScripts() {}

    private static final String BASH_REGISTRATION = "complete -F _srouter srouter\n";
    /** Where srouter offers nothing, zsh's own completion (files) is better than none; bash's own would offer files after --filter too. */
    private static final String ZSH_REGISTRATION = "complete -o default -F _srouter srouter\n";

    /** What an option's value is completed from. */
    enum Kind {
        /** A flag: no value. */
        NONE,
        /** Free text: nothing to offer. */
        TEXT,
        /** A fixed list of words. */
        WORDS,
        /** Route names of the routes file on the line. */
        ROUTES,
        FILE,
        DIR,
        /** {@code local}, {@code qdrant}, {@code pinecone}, {@code postgres} or {@code file:} followed by a directory. */
        INDEX
    }

    record Opt(List<String> names, Kind kind, List<String> words, String description) {
        String longest() {
            return names.stream().max((a, b) -> Integer.compare(a.length(), b.length())).orElseThrow();
        }
    }

    record Cmd(String name, String description, List<Opt> own, List<String> positionalWords) {}

    /** The model the scripts are generated from: the global options, then each command. */
    record Model(List<Opt> global, List<Cmd> commands) {
        List<Opt> all() {
            List<Opt> all = new ArrayList<>(global);
            commands.forEach(c -> all.addAll(c.own()));
            return all;
        }

        /** Each option name with its kind and words, checked to mean the same in every command (the scripts key on the name). */
        Map<String, Opt> byName() {
            Map<String, Opt> byName = new LinkedHashMap<>();
            for (Opt o : all()) {
                for (String name : o.names()) {
                    Opt seen = byName.putIfAbsent(name, o);
                    if (seen != null && (seen.kind() != o.kind() || !seen.words().equals(o.words()))) {
                        throw new IllegalStateException("option " + name + " takes different values in different commands; "
                                + "the completion scripts cannot tell them apart");
                    }
                }
            }
            return byName;
        }
    }

    static Model model(CommandLine root) {
        List<Opt> global = root.getCommandSpec().options().stream().filter(o -> !o.hidden()).map(CompletionScripts::opt).toList();
        List<Cmd> commands = new ArrayList<>();
        for (CommandLine sub : root.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (spec.usageMessage().hidden()) {
                continue;
            }
            List<Opt> own = spec.options().stream().filter(o -> !o.hidden() && !o.inherited()).map(CompletionScripts::opt).toList();
            List<String> positional = new ArrayList<>();
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden() && p.completionCandidates() != null) {
                    p.completionCandidates().forEach(positional::add);
                }
            }
            commands.add(new Cmd(spec.name(), firstLine(spec.usageMessage().description()), own, List.copyOf(positional)));
        }
        return new Model(global, commands);
    }

    private static Opt opt(OptionSpec o) {
        List<String> names = List.of(o.names());
        Iterable<String> candidates = o.completionCandidates();
        Kind kind;
        List<String> words = List.of();
        if (o.arity().max() == 0) {
            kind = Kind.NONE;
        } else if (candidates instanceof CompletionValues.RouteNames) {
            kind = Kind.ROUTES;
        } else if (candidates instanceof CompletionValues.IndexKinds) {
            kind = Kind.INDEX;
            words = list(candidates);
        } else if (candidates != null) {
            kind = Kind.WORDS;
            words = list(candidates);
        } else if (isPath(o.type()) || (o.typeInfo().isMultiValue() && o.typeInfo().getAuxiliaryTypes().length > 0
                && isPath(o.typeInfo().getAuxiliaryTypes()[0]))) {
            kind = "DIR".equals(o.paramLabel()) ? Kind.DIR : Kind.FILE;
        } else {
            kind = Kind.TEXT;
        }
        for (String w : words) {
            if (w.isEmpty() || !w.matches("[A-Za-z0-9._:/+-]+")) {
                throw new IllegalStateException("completion value '" + w + "' of " + names + " needs quoting in a script");
            }
        }
        return new Opt(names, kind, words, firstLine(o.description()));
    }

    private static boolean isPath(Class<?> type) {
        return Path.class.isAssignableFrom(type) || File.class.isAssignableFrom(type);
    }

    private static List<String> list(Iterable<String> values) {
        return StreamSupport.stream(values.spliterator(), false).map(Objects::toString).toList();
    }

    /** The first sentence of a description: it ends at a full stop before a word (not that of "e.g.") or the end. */
    private static String firstLine(String[] description) {
        String text = String.join(" ", description).replaceAll("\\s+", " ").strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*?(?<!e\\.g|i\\.e)\\.)(?= [A-Za-z]|$)").matcher(text);
        return m.find() ? m.group(1) : text;
    }

    // ---------------------------------------------------------------------------------- bash, zsh

    static String bash(CommandLine root) {
        Model model = model(root);
        StringBuilder s = new StringBuilder();
        s.append("""
                # bash completion for srouter, generated from its command model by `srouter completion bash`.
                # Load it with `source <(srouter completion bash)` (put the line in ~/.bashrc), or save it as
                # ~/.local/share/bash-completion/completions/srouter. It completes commands, options, the values
                # of options that take a fixed set (--strategy, --encoder, --index, -o, ...), paths, and route
                # names for --filter, which it asks of `srouter completion --list-routes` for the routes file
                # (-r) on the line.

                """);
        s.append("_srouter_commands='")
                .append(model.commands().stream().map(Cmd::name).collect(Collectors.joining(" ")))
                .append("'\n\n");

        s.append("# The options of a command, or of srouter itself before a command; every command takes the global ones.\n");
        s.append("_srouter_options() {\n  local global='").append(names(model.global())).append("'\n  case $1 in\n");
        for (Cmd c : model.commands()) {
            s.append("    ").append(c.name()).append(") echo \"").append(names(c.own())).append(" $global\" ;;\n");
        }
        s.append("    *) echo \"$global\" ;;\n  esac\n}\n\n");

        Map<String, Opt> byName = model.byName();
        s.append("# What an option's value is completed from: none (a flag), text, words, routes, file, dir or index.\n");
        s.append("_srouter_option_kind() {\n  case $1 in\n");
        for (Kind kind : Kind.values()) {
            if (kind == Kind.NONE) {
                continue;
            }
            String cases = byName.entrySet().stream()
                    .filter(e -> e.getValue().kind() == kind)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.joining("|"));
            if (!cases.isEmpty()) {
                s.append("    ").append(cases).append(") echo ").append(kind.name().toLowerCase()).append(" ;;\n");
            }
        }
        s.append("    *) echo none ;;\n  esac\n}\n\n");

        s.append("# The words an option with a fixed set of values takes.\n");
        s.append("_srouter_option_words() {\n  case $1 in\n");
        Map<List<String>, List<String>> namesByWords = new LinkedHashMap<>();
        byName.forEach((name, o) -> {
            if (!o.words().isEmpty()) {
                namesByWords.computeIfAbsent(o.words(), w -> new ArrayList<>()).add(name);
            }
        });
        namesByWords.forEach((words, names) ->
                s.append("    ").append(String.join("|", names)).append(") echo '").append(String.join(" ", words)).append("' ;;\n"));
        s.append("  esac\n}\n\n");

        s.append("# The words a command's positional parameters take.\n");
        s.append("_srouter_positional_words() {\n  case $1 in\n");
        for (Cmd c : model.commands()) {
            if (!c.positionalWords().isEmpty()) {
                s.append("    ").append(c.name()).append(") echo '").append(String.join(" ", c.positionalWords())).append("' ;;\n");
            }
        }
        s.append("  esac\n}\n\n");
        s.append(BASH_FUNCTIONS);
        return s.toString();
    }

    static String zsh(CommandLine root) {
        return "# zsh completion for srouter: put `source <(srouter completion zsh)` in ~/.zshrc.\n"
                + "# It is the bash script, run by zsh's bashcompinit.\n"
                + "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }\n"
                + "autoload -U +X bashcompinit && bashcompinit\n\n"
                + bash(root).replace(BASH_REGISTRATION, ZSH_REGISTRATION);
    }


    // ---------------------------------------------------------------------------------- fish

    static String fish(CommandLine root) {
        Model model = model(root);
        Map<String, Opt> byName = model.byName();
        String valued = byName.entrySet().stream()
                .filter(e -> e.getValue().kind() != Kind.NONE)
                .map(Map.Entry::getKey)
                .collect(Collectors.joining(" "));
        String commands = model.commands().stream().map(Cmd::name).collect(Collectors.joining(" "));
        StringBuilder s = new StringBuilder();
        s.append("""
                # fish completion for srouter, generated from its command model by `srouter completion fish`.
                # Install it with `srouter completion fish > ~/.config/fish/completions/srouter.fish`. It completes
                # commands, options, the values of options that take a fixed set (--strategy, --encoder, --index,
                # -o, ...), paths, and route names for --filter, which it asks of `srouter completion --list-routes`
                # for the routes file (-r) on the line.

                # The command given so far (route, sync, ...); fails before one and after --.
                function __srouter_command
                    set -l tokens (commandline -opc)
                    set -e tokens[1]
                    set -l skip 0
                    for t in $tokens
                        if test $skip = 1
                            set skip 0
                            continue
                        end
                        switch $t
                            case --
                                return 1
                            case '--*=*'
                """);
        s.append("            case ").append(valued).append("\n");
        s.append("""
                                set skip 1
                            case '-*'
                """);
        s.append("            case ").append(commands).append("\n");
        s.append("""
                                echo $t
                                return 0
                        end
                    end
                    return 1
                end

                # True when the command given is one of the arguments.
                function __srouter_using
                    set -l cmd (__srouter_command)
                    or return 1
                    contains -- $cmd $argv
                end

                function __srouter_no_command
                    not __srouter_command >/dev/null
                end

                # Route names of the routes file on the line (-r FILE, else srouter's default), after the
                # names already given to --filter (comma-separated).
                function __srouter_routes
                    set -l tokens (commandline -opc)
                    set -l program $tokens[1]
                    set -e tokens[1]
                    set -l file
                    set -l want 0
                    for t in $tokens
                        if test $want = 1
                            set file $t
                            set want 0
                            continue
                        end
                        switch $t
                            case -r --routes
                                set want 1
                            case '--routes=*'
                                set file (string replace -- --routes= '' $t)
                            case '-r?*'
                                set file (string sub -s 3 -- $t)
                        end
                    end
                    set -l value (string replace -r -- '^--filter=' '' (commandline -ct))
                    set -l lead (string match -r -- '^.*,' $value)
                    set -l chosen (string split , -- $lead)
                    set -l args
                    test -n "$file"; and set args --routes $file
                    for name in ($program completion --list-routes $args 2>/dev/null)
                        contains -- $name $chosen; or printf '%s%s\\n' $lead $name
                    end
                end

                # --index: local, qdrant, pinecone, postgres, or file: followed by a directory.
                function __srouter_index
                    set -l value (string replace -r -- '^--index=' '' (commandline -ct))
                    if string match -q -- 'file:*' $value
                        for dir in (__fish_complete_directories (string sub -s 6 -- $value))
                            echo file:$dir
                        end
                    else
                """);
        String indexWords = byName.values().stream().filter(o -> o.kind() == Kind.INDEX).findFirst()
                .map(o -> String.join(" ", o.words())).orElse("");
        s.append("        printf '%s\\n' ").append(indexWords).append("\n");
        s.append("""
                    end
                end

                # No file names unless an option takes a path.
                complete -c srouter -f

                """);
        for (Cmd c : model.commands()) {
            s.append("complete -c srouter -n __srouter_no_command -a ").append(c.name()).append(" -d ")
                    .append(fishQuote(c.description())).append("\n");
        }
        s.append("\n# Global options: before or after the command.\n");
        for (Opt o : model.global()) {
            s.append(fishOption(o, null)).append("\n");
        }
        s.append("\n# Options of one command.\n");
        java.util.Set<String> global = model.global().stream().flatMap(o -> o.names().stream()).collect(Collectors.toSet());
        Map<Opt, List<String>> commandsByOption = new LinkedHashMap<>();
        for (Cmd c : model.commands()) {
            for (Opt o : c.own()) {
                if (o.names().stream().noneMatch(global::contains)) {
                    commandsByOption.computeIfAbsent(o, n -> new ArrayList<>()).add(c.name());
                }
            }
        }
        commandsByOption.forEach((o, cmds) -> s.append(fishOption(o, cmds)).append("\n"));
        s.append("\n# Arguments.\n");
        for (Cmd c : model.commands()) {
            if (!c.positionalWords().isEmpty()) {
                s.append("complete -c srouter -n ").append(fishQuote("__srouter_using " + c.name())).append(" -a ")
                        .append(fishQuote(String.join(" ", c.positionalWords()))).append("\n");
            }
        }
        return s.toString();
    }

    private static String fishOption(Opt o, List<String> commands) {
        StringBuilder s = new StringBuilder("complete -c srouter");
        if (commands != null) {
            s.append(" -n ").append(fishQuote("__srouter_using " + String.join(" ", commands)));
        }
        for (String name : o.names()) {
            s.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
        }
        String head = s.toString();
        switch (o.kind()) {
            case NONE -> { }
            case FILE -> s.append(" -r -F");
            default -> s.append(" -x");
        }
        if (!o.description().isEmpty()) {
            s.append(" -d ").append(fishQuote(o.description()));
        }
        // The values on a line of their own, before the option's, so that fish shows the option's description
        // beside the option and not beside each value.
        String values = switch (o.kind()) {
            case WORDS -> fishQuote(String.join(" ", o.words()));
            case ROUTES -> "'(__srouter_routes)'";
            case INDEX -> "'(__srouter_index)'";
            case DIR -> "'(__fish_complete_directories)'";
            default -> null;
        };
        return values == null ? s.toString() : head + " -x -a " + values + "\n" + s;
    }

    /** {@code text} in fish's single quotes, where only \\ and ' are escaped. */
    private static String fishQuote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String names(List<Opt> options) {
        return options.stream().flatMap(o -> o.names().stream()).collect(Collectors.joining(" "));
    }

    /**
     * The completion function itself. The words are re-joined where bash split them at ':' or '='
     * (COMP_WORDBREAKS), so {@code --encoder local:bge-small-en-v1.5}, {@code --index file:DIR} and
     * {@code --output=json} are read as typed; a reply leaves out what bash does not replace. zsh
     * does not split words and quotes replies itself.
     */
    private static final String BASH_FUNCTIONS = """
            # The route names of the routes file on the line (-r FILE, else srouter's default), one per line.
            _srouter_route_names() {
              local file= i
              for ((i = 1; i < ${#_srouter_words[@]} - 1; i++)); do
                case ${_srouter_words[i]} in
                  -r|--routes) file=${_srouter_words[i+1]} ;;
                  --routes=*) file=${_srouter_words[i]#--routes=} ;;
                  -r?*) file=${_srouter_words[i]#-r} ;;
                esac
              done
              file=$(_srouter_dequote "$file")
              local program=$(_srouter_dequote "${_srouter_words[0]}")
              if [[ -n $file ]]; then
                "$program" completion --list-routes --routes "$file" 2>/dev/null
              else
                "$program" completion --list-routes 2>/dev/null
              fi
            }

            # A word as the shell reads it: quotes and backslashes removed, a leading ~/ expanded.
            _srouter_dequote() {
              local w=$1
              case $w in
                \\"*|\\'*) w=${w:1}; w=${w%[\\"\\']} ;;
                *) w=${w//\\\\/} ;;
              esac
              [[ $w == '~/'* ]] && w=$HOME/${w:2}
              printf '%s' "$w"
            }

            # The paths that start with $2, directories with a trailing /; only directories when $1 is dir.
            # (A glob rather than compgen -f: zsh's compgen ignores the word it is given.)
            _srouter_paths() {
              local typed=$2 base=$2 p
              [[ $typed == '~/'* ]] && base=$HOME/${typed:2}
              for p in "$base"*; do
                [[ -e $p ]] || continue
                if [[ -d $p ]]; then
                  p=$p/
                elif [[ $1 == dir ]]; then
                  continue
                fi
                [[ $typed == '~/'* ]] && p='~/'${p#"$HOME/"}
                printf '%s\n' "$p"
              done
            }

            # Adds to COMPREPLY each candidate that starts with $_srouter_value, as the shell inserts it.
            _srouter_add() {
              local c reply
              for c in "$@"; do
                [[ $c == "$_srouter_value"* ]] || continue
                if [[ -n $_srouter_quote ]]; then
                  reply=$_srouter_lead$_srouter_quote$c$_srouter_quote
                elif [[ $c == '~/'* ]]; then
                  reply=$_srouter_lead'~/'$(printf '%q' "${c:2}")
                else
                  reply=$_srouter_lead$(printf '%q' "$c")
                fi
                COMPREPLY+=("${reply#"$_srouter_strip"}")
              done
            }

            _srouter() {
              COMPREPLY=()
              local -a _srouter_words=()
              local i w n=0
              for ((i = 0; i <= COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                if ((n > 1)) && [[ $w == [:=] || ${_srouter_words[n-1]} == *[:=] ]]; then
                  _srouter_words[n-1]+=$w
                else
                  _srouter_words[n]=$w
                  ((n++))
                fi
              done
              local cur=${_srouter_words[n-1]} prev=
              ((n > 1)) && prev=${_srouter_words[n-2]}
              local raw=${COMP_WORDS[COMP_CWORD]}
              [[ $raw == [:=] ]] && raw=
              local _srouter_strip=${cur%"$raw"}

              local cmd= skip=0
              for ((i = 1; i < n - 1; i++)); do
                w=${_srouter_words[i]}
                if ((skip)); then skip=0; continue; fi
                case $w in
                  --) return 0 ;;
                  --*=*) ;;
                  -*) [[ $(_srouter_option_kind "$w") != none ]] && skip=1 ;;
                  *) [[ -z $cmd && " $_srouter_commands " == *" $w "* ]] && cmd=$w ;;
                esac
              done

              local opt= _srouter_lead= _srouter_value=$cur _srouter_quote=
              if [[ $cur == --*=* ]]; then
                opt=${cur%%=*}
                _srouter_lead=$opt=
                _srouter_value=${cur#*=}
              elif [[ $prev == -?* && $prev != *=* ]] && ((skip)); then
                opt=$prev
              fi
              local kind=none
              [[ -n $opt ]] && kind=$(_srouter_option_kind "$opt")
              if [[ $kind == none ]]; then
                if [[ $cur == -* ]]; then
                  _srouter_add $(_srouter_options "$cmd")
                elif [[ -z $cmd ]]; then
                  _srouter_add $(echo "$_srouter_commands")
                else
                  _srouter_add $(_srouter_positional_words "$cmd")
                fi
                return 0
              fi

              # zsh completes a path best itself (its quoting, ~, no space after a directory): with no
              # reply, bashcompinit falls back to its _default (complete -o default, in the zsh script).
              if [[ -n ${ZSH_VERSION-} && ( $kind == file || $kind == dir ) && $cur != --*=* ]]; then
                return 0
              fi
              case $_srouter_value in
                \\"*|\\'*) _srouter_quote=${_srouter_value:0:1}; _srouter_value=${_srouter_value:1} ;;
                *) _srouter_value=${_srouter_value//\\\\/} ;;
              esac
              case $kind in
                words) _srouter_add $(_srouter_option_words "$opt") ;;
                routes)
                  local chosen=
                  if [[ $_srouter_value == *,* ]]; then
                    chosen=,${_srouter_value%,*},
                    _srouter_lead+=${_srouter_value%,*},
                    _srouter_value=${_srouter_value##*,}
                  fi
                  local -a names=()
                  local name
                  while IFS= read -r name; do
                    [[ -n $name && $chosen != *",$name,"* ]] && names+=("$name")
                  done < <(_srouter_route_names)
                  _srouter_add "${names[@]}"
                  ;;
                index)
                  if [[ $_srouter_value == file:* ]]; then
                    _srouter_lead+=file:
                    _srouter_value=${_srouter_value#file:}
                    local -a dirs=()
                    local dir
                    while IFS= read -r dir; do dirs+=("$dir"); done < <(_srouter_paths dir "$_srouter_value")
                    _srouter_add "${dirs[@]}"
                  else
                    _srouter_add $(_srouter_option_words "$opt")
                  fi
                  ;;
                file|dir)
                  local -a paths=()
                  local path
                  while IFS= read -r path; do paths+=("$path"); done < <(_srouter_paths "$kind" "$_srouter_value")
                  _srouter_add "${paths[@]}"
                  ;;
              esac
              # No space after a value that goes on: file:DIR/ and a directory.
              if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[:/] ]]; then
                compopt -o nospace 2>/dev/null
              fi
              return 0
            }

            """ + BASH_REGISTRATION;

}
