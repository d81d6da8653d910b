//! A small text field: the filter line and the note editor.

/// Text with a cursor (a char index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    /// A field holding `text`, cursor at the end.
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Cursor position in chars.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    /// Inserts a character at the cursor.
    pub fn insert(&mut self, c: char) {
        let b = self.byte(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    /// Deletes before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let b = self.byte(self.cursor);
            self.text.remove(b);
        }
    }

    /// Deletes at the cursor.
    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let b = self.byte(self.cursor);
            self.text.remove(b);
        }
    }

    /// Moves left.
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    /// Moves right.
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    /// Start of the current line.
    pub fn home(&mut self) {
        let before: String = self.text.chars().take(self.cursor).collect();
        self.cursor = before
            .rfind('\n')
            .map(|i| before[..=i].chars().count())
            .unwrap_or(0);
    }

    /// End of the current line.
    pub fn end(&mut self) {
        let rest: String = self.text.chars().skip(self.cursor).collect();
        self.cursor += rest
            .find('\n')
            .map(|i| rest[..i].chars().count())
            .unwrap_or(rest.chars().count());
    }

    /// Applies an editing action (typing, deleting, moving the cursor; `newline` only when
    /// `lines`). Returns whether the text changed, or None when the action is not an edit.
    pub fn edit(&mut self, action: &super::Action, lines: bool) -> Option<bool> {
        use super::Action;
        match action {
            Action::Input(c) => self.insert(*c),
            Action::Newline if lines => self.insert('\n'),
            Action::Backspace => self.backspace(),
            Action::Delete => self.delete(),
            Action::ClearLine => *self = TextInput::new(""),
            Action::Left => self.left(),
            Action::Right => self.right(),
            Action::Home => self.home(),
            Action::End => self.end(),
            _ => return None,
        }
        Some(matches!(
            action,
            Action::Input(_)
                | Action::Newline
                | Action::Backspace
                | Action::Delete
                | Action::ClearLine
        ))
    }

    /// (line, column) of the cursor, for drawing.
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_with_multibyte_text() {
        let mut t = TextInput::new("añb");
        t.left();
        t.backspace();
        assert_eq!(t.text(), "ab");
        t.insert('é');
        assert_eq!(t.text(), "aéb");
        t.home();
        t.delete();
        assert_eq!(t.text(), "éb");
        t.end();
        t.insert('\n');
        t.insert('x');
        assert_eq!(t.cursor_line_col(), (1, 1));
        t.home();
        assert_eq!(t.cursor_line_col(), (1, 0));
    }
}
