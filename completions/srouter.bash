# bash completion for srouter, generated from its command model by `srouter completion bash`.
# Load it with `source <(srouter completion bash)` (put the line in ~/.bashrc), or save it as
# ~/.local/share/bash-completion/completions/srouter. It completes commands, options, the values
# of options that take a fixed set (--strategy, --encoder, --index, -o, ...), paths, and route
# names for --filter, which it asks of `srouter completion --list-routes` for the routes file
# (-r) on the line.

_srouter_commands='init route repl eval fit lint diff sync push pull status unlock completion'

# The options of a command, or of srouter itself before a command; every command takes the global ones.
_srouter_options() {
  local global='-r --routes --encoder --encoder-model --encoder-url --onnx-pooling --onnx-max-length --onnx-query-prefix --onnx-document-prefix --index --qdrant-url --pinecone-host --postgres-url --cloud --region --index-name --namespace --cache-dir --no-cache -o --output --no-color -v --verbose -q --quiet -h --help -V --version'
  case $1 in
    init) echo "--force -h --help -V --version $global" ;;
    route) echo "--top-k --aggregation --threshold --filter --limit --no-fit --explain -h --help -V --version $global" ;;
    repl) echo "--top-k --aggregation --threshold --filter --limit --no-fit --explain -h --help -V --version $global" ;;
    eval) echo "--data --data-format --min-accuracy --min-oos-recall --misses --top-k --aggregation --threshold --filter --no-fit -h --help -V --version $global" ;;
    fit) echo "--data --data-format --top-k --aggregation --thresholds --min-oos-recall --no-thresholds --dry-run -h --help -V --version $global" ;;
    lint) echo "--duplicate-similarity --route-similarity --min-utterances --fail-on -h --help -V --version $global" ;;
    diff) echo "--strategy --summary -h --help -V --version $global" ;;
    sync) echo "--dry-run -y --yes --reembed --allow-empty --lock-timeout --summary --batch-size --strategy -h --help -V --version $global" ;;
    push) echo "--dry-run -y --yes --reembed --allow-empty --lock-timeout --summary --batch-size -h --help -V --version $global" ;;
    pull) echo "--dry-run -y --yes --reembed --allow-empty --lock-timeout --summary --batch-size -h --help -V --version $global" ;;
    status) echo "-h --help -V --version $global" ;;
    unlock) echo "--force --lease -h --help -V --version $global" ;;
    completion) echo "-h --help -V --version $global" ;;
    *) echo "$global" ;;
  esac
}

# What an option's value is completed from: none (a flag), text, words, routes, file, dir or index.
_srouter_option_kind() {
  case $1 in
    --encoder-model|--encoder-url|--onnx-pooling|--onnx-max-length|--onnx-query-prefix|--onnx-document-prefix|--qdrant-url|--pinecone-host|--postgres-url|--region|--index-name|--namespace|--top-k|--threshold|--limit|--min-accuracy|--min-oos-recall|--duplicate-similarity|--route-similarity|--min-utterances|--lock-timeout|--batch-size|--lease) echo text ;;
    --encoder|--cloud|-o|--output|--aggregation|--data-format|--thresholds|--fail-on|--strategy) echo words ;;
    --filter) echo routes ;;
    -r|--routes|--data|--misses) echo file ;;
    --cache-dir) echo dir ;;
    --index) echo index ;;
    *) echo none ;;
  esac
}

# The words an option with a fixed set of values takes.
_srouter_option_words() {
  case $1 in
    --encoder) echo 'local local:all-MiniLM-L6-v2 local:bge-small-en-v1.5 openai azure cohere google bedrock mistral voyage jina nim ollama tei' ;;
    --index) echo 'local file: qdrant pinecone postgres' ;;
    --cloud) echo 'aws gcp azure' ;;
    -o|--output) echo 'text json tsv' ;;
    --aggregation) echo 'mean max sum' ;;
    --data-format) echo 'jsonl tsv' ;;
    --thresholds) echo 'auto global per-route' ;;
    --fail-on) echo 'misplaced duplicate close-routes few-utterances all none' ;;
    --strategy) echo 'error remote local merge-force-remote merge-force-local merge' ;;
  esac
}

# The words a command's positional parameters take.
_srouter_positional_words() {
  case $1 in
    completion) echo 'bash zsh fish' ;;
  esac
}

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
    \"*|\'*) w=${w:1}; w=${w%[\"\']} ;;
    *) w=${w//\\/} ;;
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
    printf '%s
' "$p"
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
    \"*|\'*) _srouter_quote=${_srouter_value:0:1}; _srouter_value=${_srouter_value:1} ;;
    *) _srouter_value=${_srouter_value//\\/} ;;
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

complete -F _srouter srouter
