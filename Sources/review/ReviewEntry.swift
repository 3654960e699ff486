import ReviewCommands

@main
enum ReviewEntry {
    static func main() { ReviewCommand.runAndExit(arguments: nil) }
}
