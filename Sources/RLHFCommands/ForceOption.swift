import ArgumentParser

/// `--force`: let a command replace an output folder that holds files it did not write (never one that
/// holds an input or the current folder, nor one inside an input folder).
struct ForceOption: ParsableArguments {
    @Flag(help: "Replace --output when it holds files this command did not write (never a folder holding an input or the current folder).")
    var force = false
}
