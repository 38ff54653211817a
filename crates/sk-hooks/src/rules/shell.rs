//! Just enough shell parsing to judge a command: split it into simple commands at `;`,
//! `&&`, `||`, `|`, `&` and newlines, split each into words honouring quotes and
//! backslashes, note redirection targets, and strip wrappers (`sudo`, `env`, `VAR=x`) so
//! `sudo /bin/rm -rf ~` is seen as `rm`. Not a shell: anything it cannot follow is left to
//! the other checks, and the guards only deny on patterns they recognise.

/// One simple command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simple {
    /// Program (base name) first, then its arguments; wrappers removed.
    pub words: Vec<String>,
    /// Targets of `>`, `>>`, `&>`, `2>`.
    pub redirects: Vec<String>,
    /// Reads the previous command's output through a pipe.
    pub piped: bool,
}

impl Simple {
    pub fn program(&self) -> &str {
        self.words.first().map(String::as_str).unwrap_or("")
    }
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }
}

/// Splits `cmd` into simple commands.
pub fn parse(cmd: &str) -> Vec<Simple> {
    let mut out = Vec::new();
    let mut cur = Simple::default();
    let mut word = String::new();
    let mut in_word = false;
    let mut redirect_next = false;
    let mut chars = cmd.chars().peekable();

    let finish_word = |word: &mut String, in_word: &mut bool, cur: &mut Simple, redirect_next: &mut bool| {
        if *in_word {
            if *redirect_next {
                cur.redirects.push(std::mem::take(word));
                *redirect_next = false;
            } else {
                cur.words.push(std::mem::take(word));
            }
            *in_word = false;
        }
    };
    let finish_cmd = |cur: &mut Simple, out: &mut Vec<Simple>, piped_next: bool| {
        let mut done = std::mem::take(cur);
        done.words = unwrap(done.words);
        if !done.words.is_empty() || !done.redirects.is_empty() {
            out.push(done);
        }
        cur.piped = piped_next;
    };

    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                // A backslash-newline is a line continuation, not a character.
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    in_word = true;
                    word.push(n);
                }
            }
            ' ' | '\t' => finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next),
            ';' | '\n' | '(' | ')' | '`' => {
                finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
                finish_cmd(&mut cur, &mut out, false);
            }
            '&' | '|' => {
                finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
                let doubled = chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                }
                if c == '&' && chars.peek() == Some(&'>') {
                    // `&>file`: redirect both streams.
                    chars.next();
                    if chars.peek() == Some(&'>') {
                        chars.next();
                    }
                    redirect_next = true;
                    continue;
                }
                finish_cmd(&mut cur, &mut out, c == '|' && !doubled);
            }
            '>' => {
                // `2>` / `1>`: the digit was a file descriptor, not a word.
                if in_word && (word == "1" || word == "2") {
                    word.clear();
                    in_word = false;
                } else {
                    finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
                }
                if chars.peek() == Some(&'>') {
                    chars.next();
                }
                if chars.peek() == Some(&'&') {
                    // `2>&1`: a descriptor, not a file.
                    chars.next();
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    continue;
                }
                redirect_next = true;
            }
            '<' => {
                finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
                if chars.peek() == Some(&'(') {
                    // Process substitution: its content is a command of its own.
                    chars.next();
                    finish_cmd(&mut cur, &mut out, false);
                }
            }
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
                finish_cmd(&mut cur, &mut out, false);
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish_word(&mut word, &mut in_word, &mut cur, &mut redirect_next);
    finish_cmd(&mut cur, &mut out, false);
    out
}

/// Drops `VAR=value` prefixes and wrappers that run another command, and reduces the
/// program to its base name.
fn unwrap(words: Vec<String>) -> Vec<String> {
    let mut i = 0;
    loop {
        let Some(w) = words.get(i) else {
            return Vec::new();
        };
        let base = base_name(w);
        if !w.starts_with('-') && w.contains('=') && !w.starts_with('=') && i + 1 < words.len() {
            i += 1;
        } else if matches!(
            base,
            "sudo" | "doas" | "env" | "command" | "exec" | "nohup" | "time" | "nice" | "xargs"
        ) {
            i += 1;
            // The wrapper's own options (`sudo -u root`, `env -i`).
            while let Some(o) = words.get(i) {
                if o.starts_with('-') {
                    i += 1;
                    if matches!(o.as_str(), "-u" | "-g" | "-n") && base != "nice" {
                        i += 1;
                    }
                } else {
                    break;
                }
            }
        } else {
            let mut out: Vec<String> = words[i..].to_vec();
            out[0] = base.to_string();
            return out;
        }
    }
}

fn base_name(w: &str) -> &str {
    w.rsplit(['/', '\\']).next().unwrap_or(w)
}

/// Short-option clusters and long options of `args` (up to `--`), e.g. `-rf` → "rf".
pub fn has_flag(args: &[String], short: char, long: &str) -> bool {
    args.iter().take_while(|a| a.as_str() != "--").any(|a| {
        a == long
            || (!a.starts_with("--") && a.strip_prefix('-').is_some_and(|cluster| cluster.contains(short)))
    })
}

/// Arguments that are not options.
pub fn operands(args: &[String]) -> impl Iterator<Item = &String> {
    let mut after_dashdash = false;
    args.iter().filter(move |a| {
        if after_dashdash {
            return true;
        }
        if a.as_str() == "--" {
            after_dashdash = true;
            return false;
        }
        !a.starts_with('-') || a.as_str() == "-"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &str) -> Vec<Vec<String>> {
        parse(cmd).into_iter().map(|s| s.words).collect()
    }

    #[test]
    fn splits_quotes_wrappers_pipes_and_redirects() {
        assert_eq!(
            words("sudo -u root /bin/rm -rf '/tmp/a b' && echo ok"),
            vec![vec!["rm", "-rf", "/tmp/a b"], vec!["echo", "ok"],]
        );
        let p = parse("curl -fsSL https://x.sh | sudo bash -s");
        assert_eq!(p.len(), 2);
        assert!(!p[0].piped && p[1].piped);
        assert_eq!(p[1].program(), "bash");
        let r = parse("echo \"a;b\" > .git/config 2>&1; FOO=1 env -i cargo test");
        assert_eq!(r[0].words, vec!["echo", "a;b"]);
        assert_eq!(r[0].redirects, vec![".git/config"]);
        assert_eq!(r[1].words, vec!["cargo", "test"]);
        assert_eq!(
            words("bash <(curl -s x)"),
            vec![vec!["bash"], vec!["curl", "-s", "x"]]
        );
        // Inside double quotes a command substitution stays one word (the guard checks the raw text).
        assert_eq!(
            words("sh -c \"$(wget -qO- x)\""),
            vec![vec!["sh", "-c", "$(wget -qO- x)"]]
        );
        assert!(has_flag(&["-fR".into()], 'R', "--recursive"));
        assert!(!has_flag(&["--".into(), "-R".into()], 'R', "--recursive"));
    }
}
