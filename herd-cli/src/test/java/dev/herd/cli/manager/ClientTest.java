package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.cli.manager.Client.ManagerException;
import dev.herd.node.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The command line's own decoding of a JSON string literal, the one piece of JSON the fast verbs read. */
class ClientTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "quote \" and backslash \\ and slash /", "tab\tnewline\ncr\rbs\bff\f",
        "\u001b[32monline\u001b[0m", "\u0000\u0001\u001f\u007f", "┌──┬──┐ │ ↺ │", "emoji \ud83d\ude00 and é",
        "\\u0041 stays text"})
    void decodesWhatTheDaemonsJsonWriterWrites(String text) {
        assertThat(Client.jsonString(Json.stringifyUtf8(text))).isEqualTo(text);
    }

    @Test
    void decodesEveryEscapeOfRfc8259() {
        byte[] json = "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"".getBytes(StandardCharsets.UTF_8);
        assertThat(Client.jsonString(json)).isEqualTo("\" \\ / \b \f \n \r \t é \ud83d\ude00");
    }

    @Test
    void encodesTargetsAsAJsonArrayOfStrings() {
        List<String> targets = List.of("api", "/^a\\d+\"$/", "tab\there", "\u0001", "é ↺ \ud83d\ude00", "");
        assertThat(Json.parse(Client.jsonStrings(targets))).isEqualTo(targets);
        assertThat(Client.jsonStrings(List.of())).isEqualTo("[]");
    }

    @Test
    void refusesAnAnswerThatIsNotAString() {
        assertThatThrownBy(() -> Client.jsonString("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManagerException.class).hasMessageContaining("other than text");
    }
}
