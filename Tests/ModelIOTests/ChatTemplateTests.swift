@testable import ModelIO
import XCTest

final class ChatTemplateTests: XCTestCase {
    private let conversation: [ChatMessage] = [.user("What is 2+2?"), .assistant("4")]

    func testChatMLWithoutSystemMessageGetsSmolLM2DefaultSystemPrompt() {
        XCTAssertEqual(
            ChatMLTemplate.smolLM2.render(conversation, addGenerationPrompt: false),
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n")
    }

    func testChatMLWithSystemMessageKeepsIt() {
        let messages: [ChatMessage] = [.system("Be brief."), .user("Hi")]
        XCTAssertEqual(
            ChatMLTemplate.smolLM2.render(messages, addGenerationPrompt: true),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    func testPlainChatMLAddsNoSystemPrompt() {
        XCTAssertEqual(
            ChatMLTemplate.plain.render(conversation, addGenerationPrompt: true),
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(ChatMLTemplate.smolLM2.render([], addGenerationPrompt: true), "<|im_start|>assistant\n")
    }

    func testAnthropicHH() {
        let template = AnthropicHHTemplate()
        XCTAssertEqual(template.render(conversation, addGenerationPrompt: false), "\n\nHuman: What is 2+2?\n\nAssistant: 4")
        XCTAssertEqual(template.render([.user("Hi")], addGenerationPrompt: true), "\n\nHuman: Hi\n\nAssistant:")
    }

    /// SmolLM2's template exactly as the GGUF stores it under `tokenizer.chat_template`.
    func testSelectionFromSmolLM2Jinja() throws {
        let jinja = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
            + "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + "
            + "message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\n' }}{% endif %}"
        let template = try XCTUnwrap(ChatTemplateSelector.template(fromJinja: jinja))
        XCTAssertEqual(template.render(conversation, addGenerationPrompt: true),
                       ChatMLTemplate.smolLM2.render(conversation, addGenerationPrompt: true))
        XCTAssertNil(ChatTemplateSelector.template(fromJinja: "{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}"))
    }

    func testSelectionByName() throws {
        XCTAssertEqual(try ChatTemplateSelector.template(named: "hh").render([.user("x")], addGenerationPrompt: true), "\n\nHuman: x\n\nAssistant:")
        XCTAssertEqual(try ChatTemplateSelector.template(named: "chatml").render([.user("x")], addGenerationPrompt: false), "<|im_start|>user\nx<|im_end|>\n")
        XCTAssertThrowsError(try ChatTemplateSelector.template(named: "alpaca")) { error in
            XCTAssertEqual(error as? ChatTemplateError, .unknownName("alpaca"))
        }
    }
}
