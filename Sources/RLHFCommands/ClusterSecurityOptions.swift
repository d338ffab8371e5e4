import ArgumentParser
import Foundation

/// How a cluster process secures its socket: CurveZMQ keys from `--keys DIR` (what `rlhf launch`
/// writes), or `--insecure` plain tcp for loopback experiments.
struct ClusterSecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The run's CurveZMQ key folder (learner.key, NAME.key, *.public).", valueName: "dir"))
    var keys: String?

    @Flag(help: "Plain tcp without CurveZMQ: no encryption, no authentication (loopback experiments only).")
    var insecure = false

    func validate() throws {
        guard (keys != nil) != insecure else {
            throw ValidationError(insecure ? "--insecure and --keys exclude each other" : "pass --keys DIR (CurveZMQ) or --insecure")
        }
    }
}
