//! HTML escaping of every text that comes from the case, the rule pack or
//! the checks.

use std::fmt;

/// Displays a text escaped for HTML element content and quoted attribute
/// values. Besides the five markup characters it escapes `/`, `@`, `(` and
/// `=`. So no user text, such as a file name `//host/x` or a value with
/// `url(` or `src=`, reads as a resource reference, even to a plain-text
/// scan of the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut last = 0;
        for (i, ch) in text.char_indices() {
            let entity = match ch {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '/' => "&#47;",
                '@' => "&#64;",
                '(' => "&#40;",
                '=' => "&#61;",
                _ => continue,
            };
            f.write_str(&text[last..i])?;
            f.write_str(entity)?;
            last = i + ch.len_utf8();
        }
        f.write_str(&text[last..])
    }
}

/// Displays a text escaped as [`Esc`] does, with each line break kept as
/// `<br>`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EscLines<'a>(pub &'a str);

impl fmt::Display for EscLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.lines().enumerate() {
            if i > 0 {
                f.write_str("<br>")?;
            }
            Esc(line).fmt(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(EscLines("一<b>\n二").to_string(), "一&lt;b&gt;<br>二");
    }

    #[test]
    fn escapes_markup_and_reference_characters() {
        let cases = [
            ("普通文本", "普通文本"),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert&#40;1)&lt;&#47;script&gt;",
            ),
            ("a & b \"c\" 'd'", "a &amp; b &quot;c&quot; &#39;d&#39;"),
            (
                "src=//evil.example/x",
                "src&#61;&#47;&#47;evil.example&#47;x",
            ),
            ("url(x)", "url&#40;x)"),
            ("@import", "&#64;import"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(Esc(input).to_string(), want, "{input}");
        }
    }
}
