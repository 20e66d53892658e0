pub fn render(_context: &super::Context<'_>, _full: bool) -> String {
    String::new()
}
