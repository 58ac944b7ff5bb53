package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.cli.Examples.Example;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExamplesTest {
    @Test
    void exampleNamesAreLowerCaseWordsWithDigitsAndDashes() {
        for (String name : List.of("a", "http-hello", "tcp-echo", "x9", "a-")) {
            assertThat(new Example(name, "d", "C").name()).isEqualTo(name);
        }
    }

    @Test
    void anythingElseIsRejectedWithTheName() {
        for (String name : List.of("", "Http", "9a", "-a", "a_b", "a b", "caf\u00e9", "a.b")) {
            assertThatThrownBy(() -> new Example(name, "d", "C"))
                    .as("'%s'", name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("example names are lower-case words: " + name);
        }
    }

    @Test
    void findReturnsTheExampleOfThatNameOrNothing() {
        var a = new Example("a", "first", "A");
        var b = new Example("b", "second", "B");
        assertThat(Examples.find(List.of(a, b), "b")).contains(b);
        assertThat(Examples.find(List.of(a, b), "c")).isEmpty();
        assertThat(Examples.find(List.of(), "a")).isEmpty();
    }

    @Test
    void everyBundledExampleIsFoundByItsName() {
        for (Example e : Examples.ALL) assertThat(Examples.find(Examples.ALL, e.name())).contains(e);
    }
}
