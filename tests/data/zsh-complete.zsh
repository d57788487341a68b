# zsh-complete.zsh FPATHDIR LINE WORD: type LINE and Tab in an interactive
# zsh (in a pseudo-terminal, with the completion functions of FPATHDIR)
# and wait until the completions it lists hold WORD; prints "found WORD"
# then.  Run under timeout(1): a WORD that never comes waits forever.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PS1='' RPROMPT=''; fpath=($1 \$fpath); autoload -U compinit;" \
	"compinit -u -D; LISTMAX=1000; popmuch() {}; print READY"
zpty -r z out '*READY*'
zpty -r z out '*READY*'
zpty -n -w z "$2"$'\t'
zpty -r z out "*$3*" && print -r -- "found $3"
zpty -d z
