//! Identifiers: splitting a qualified name the way PostgreSQL reads it.

/// The name a quoted identifier token `"..."` stands for (a doubled quote is one quote); `None`
/// for anything else, `U&"..."` included.
pub fn unquoted(token: &str) -> Option<String> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("\"\"", "\""))
}

/// `public."My Table".col` → [`public`, `My Table`, `col`]: dots outside double quotes split, a
/// doubled quote inside quotes is one quote, and unquoted parts fold to lower case as
/// PostgreSQL folds them.
pub fn split_qualified(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    let mut finish = |current: &mut String, was_quoted: bool| {
        let part = std::mem::take(current);
        parts.push(if was_quoted {
            part
        } else {
            part.to_lowercase()
        });
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                finish(&mut current, was_quoted);
                was_quoted = false;
            }
            c => current.push(c),
        }
    }
    finish(&mut current, was_quoted);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_unquoted_dots_and_folds_unquoted_parts() {
        assert_eq!(split_qualified("public.events"), vec!["public", "events"]);
        assert_eq!(split_qualified("Public.Events"), vec!["public", "events"]);
        assert_eq!(
            split_qualified("\"My.Schema\".\"t\"\"x\".c"),
            vec!["My.Schema", "t\"x", "c"]
        );
    }
}
