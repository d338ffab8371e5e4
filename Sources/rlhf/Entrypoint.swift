import RLHFCommands

/// The `rlhf` executable: everything lives in `RLHFCommands`.
@main
struct Entrypoint {
    static func main() async {
        await RLHFCommand.runMain()
    }
}
