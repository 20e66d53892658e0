pub fn render(_context: &super::Context<'_>) -> String {
    String::new()
}
