import Datasets
import ModelIO
import Storage
import XCTest

/// Supervised examples from `{"prompt", "response"}` and `{"messages": [...]}` lines.
extension PreferenceDataTests {
    func testSupervisedExamplesFromPromptResponseAndMessages() throws {
        let url = try temporary("sft.jsonl", """
            {"prompt": "Q: 2+2?\\nA:", "response": " 4"}
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye."}]}

            """)
        let (examples, skipped) = try SupervisedData.read(path: url.path)
        XCTAssertEqual(examples, [
            SupervisedExample(prompt: "Q: 2+2?\nA:", response: " 4"),
            SupervisedExample(prompt: "\n\nHuman: Hi\n\nAssistant:", response: " Hello!", messages: [.user("Hi"), .assistant("Hello!")]),
            SupervisedExample(prompt: "Be brief.\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Bye\n\nAssistant:", response: " Bye.",
                              messages: [.system("Be brief."), .user("Hi"), .assistant("Hello."), .user("Bye"), .assistant("Bye.")]),
        ])
        XCTAssertEqual(skipped, 0)
    }

    func testMalformedSupervisedLinesNameLineAndField() throws {
        let url = try temporary("sft-bad.jsonl", """
            {"prompt": "p", "response": "r"}
            {"messages": [{"role": "user", "content": "Hi"}]}
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "?"}]}
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello"}]}
            {"messages": [{"role": "user", "content": ["Hi"]}, {"role": "assistant", "content": "Hello"}]}
            {"messages": "Hi"}
            {"prompt": "p"}
            {"prompt": "p", "response": "r"

            """)
        XCTAssertThrowsError(try SupervisedData.read(path: url.path)) {
            XCTAssertEqual("\($0)", "\(url.path):2: field \"messages\" has no assistant message")
        }
        let (examples, skipped) = try SupervisedData.read(path: url.path, skipBadLines: true)
        XCTAssertEqual(examples, [SupervisedExample(prompt: "p", response: "r")])
        XCTAssertEqual(skipped, 7)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let reasons = try (3...8).map { line -> String in
            let one = try temporary("sft-line\(line).jsonl", lines[line - 1] + "\n")
            do { _ = try SupervisedData.read(path: one.path); return "no error" } catch {
                return (error as? DataFileError)?.reason ?? "\(error)"
            }
        }
        XCTAssertEqual(reasons, [
            "field \"messages\" goes on after its last assistant message",
            "field \"messages[1].role\" must be \"system\", \"user\" or \"assistant\", not \"bot\"",
            "field \"messages[0].content\" is missing or not a string",
            "field \"messages\" is not an array",
            "field \"response\" is missing or not a string",
            "not valid JSON",
        ])
    }
}
