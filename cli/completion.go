package cli

import (
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v2"
)

// The shell scripts are urfave/cli v2's autocomplete scripts (its
// autocomplete folder) with the program named: each asks
// `mvae ... --generate-bash-completion` for the words that may follow.
const bashCompletion = `# bash completion for mvae: eval "$(mvae completion bash)"
_mvae_init_completion() {
  COMPREPLY=()
  _get_comp_words_by_ref "$@" cur prev words cword
}

_mvae_bash_autocomplete() {
  if [[ "${COMP_WORDS[0]}" != "source" ]]; then
    local cur opts base words
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    if declare -F _init_completion >/dev/null 2>&1; then
      _init_completion -n "=:" || return
    else
      _mvae_init_completion -n "=:" || return
    fi
    words=("${words[@]:0:$cword}")
    if [[ "$cur" == "-"* ]]; then
      requestComp="${words[*]} ${cur} --generate-bash-completion"
    else
      requestComp="${words[*]} --generate-bash-completion"
    fi
    opts=$(eval "${requestComp}" 2>/dev/null)
    COMPREPLY=($(compgen -W "${opts}" -- ${cur}))
    return 0
  fi
}

complete -o bashdefault -o default -o nospace -F _mvae_bash_autocomplete mvae
`

const zshCompletion = `#compdef mvae
# zsh completion for mvae: mvae completion zsh > "${fpath[1]}/_mvae" (or eval "$(mvae completion zsh)")

_mvae_zsh_autocomplete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi

  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}

compdef _mvae_zsh_autocomplete mvae
`

func completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash:  eval \"$(mvae completion bash)\"   (or save it in /etc/bash_completion.d/mvae)\n" +
			"zsh:   mvae completion zsh > \"${fpath[1]}/_mvae\"\n" +
			"fish:  mvae completion fish > ~/.config/fish/completions/mvae.fish",
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion takes one shell: bash, zsh or fish")
			}
			return writeCompletion(c.App, c.App.Writer, c.Args().First())
		},
	}
}

// writeCompletion writes the completion script of shell.
func writeCompletion(app *ucli.App, w io.Writer, shell string) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return err
		}
		script = s
	default:
		return usagef("completion: unknown shell %q (want bash, zsh or fish)", shell)
	}
	_, err := fmt.Fprint(w, script)
	return err
}
