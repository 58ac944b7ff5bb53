package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.restarts;
import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Config files, black-box through the real command line: JSON, YAML and ecosystem.config.js
 * (evaluated by node) start their apps with their fields; {@code --env}, {@code --only},
 * {@code --update-env}; a config as a target; {@code startOrRestart} twice; invalid configs of
 * each kind start nothing; {@code init}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerConfigTest {
    /** Prints its greeting, then sleeps. */
    private static final String GREETER_SH = """
            #!/bin/bash
            echo "greeting=$GREETING args=$*"
            while true; do sleep 0.2; done
            """;

    @TempDir
    Path tmp;

    private Herd herd;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        herd.file("greeter.sh", GREETER_SH);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    private static String env(JsonNode p, String key) {
        JsonNode v = p.get("pm2_env").get("env").get(key);
        return v == null ? null : v.asText();
    }

    private List<String> names() {
        return herd.jlist().stream().map(p -> p.get("name").asText()).toList();
    }

    @Test
    void aJsonConfigStartsEveryAppWithItsFieldsInPm2sTypes() throws Exception {
        herd.file("process.json", """
                {"apps": [
                  {"name": "one", "script": "greeter.sh", "args": "a 'b c'", "max_restarts": "3", "kill_timeout": 500,
                   "max_memory_restart": "200M", "min_uptime": "2s", "env": {"GREETING": "hi", "N": 5},
                   "log_max_size": "10M", "log_retain": 4},
                  {"name": "two", "script": "./greeter.sh", "args": ["x"], "stopExitCodes": [3], "namespace": "back"}
                ]}
                """);
        herd.run("start", "process.json").ok();
        JsonNode one = herd.awaitStatus("one", "online");
        JsonNode two = herd.awaitStatus("two", "online");
        JsonNode e = one.get("pm2_env");
        assertThat(e.get("args").toString()).isEqualTo("[\"a\",\"b c\"]");
        assertThat(e.get("max_restarts").asInt()).isEqualTo(3);
        assertThat(e.get("kill_timeout").asLong()).isEqualTo(500);
        assertThat(e.get("min_uptime").asLong()).isEqualTo(2000);
        assertThat(e.get("max_memory_restart").asLong()).isEqualTo(200L * 1024 * 1024);
        assertThat(e.get("log_max_size").asLong()).isEqualTo(10L * 1024 * 1024);
        assertThat(e.get("log_retain").asInt()).isEqualTo(4);
        assertThat(env(one, "GREETING")).isEqualTo("hi");
        assertThat(env(one, "N")).isEqualTo("5");
        assertThat(two.get("pm2_env").get("stop_exit_codes").toString()).isEqualTo("[3]");
        assertThat(two.get("pm2_env").get("namespace").asText()).isEqualTo("back");
        herd.awaitLine(herd.log("one-out.log"), "greeting=hi args=a b c");
    }

    @Test
    void aYamlConfigStartsItsApps() throws Exception {
        herd.file("ecosystem.yml", """
                apps:
                  - name: yam
                    script: greeter.sh
                    env:
                      GREETING: from-yaml
                """);
        herd.run("start", "ecosystem.yml").ok();
        assertThat(env(herd.awaitStatus("yam", "online"), "GREETING")).isEqualTo("from-yaml");
    }

    @Test
    void anEcosystemConfigJsIsEvaluatedByNode() throws Exception {
        herd.file("ecosystem.config.js", """
                const path = require('path');
                module.exports = {
                  apps: [{ name: 'js-' + (1 + 1), script: path.join(__dirname, 'greeter.sh'), env: { GREETING: 'from-js' } }]
                };
                """);
        herd.run("start", "ecosystem.config.js").ok();
        assertThat(env(herd.awaitStatus("js-2", "online"), "GREETING")).isEqualTo("from-js");
    }

    @Test
    void anEcosystemConfigMjsWithADefaultExportStarts() throws Exception {
        herd.file("ecosystem.config.mjs", """
                export default { apps: [{ name: 'esm', script: './greeter.sh' }] };
                """);
        herd.run("start", "ecosystem.config.mjs").ok();
        herd.awaitStatus("esm", "online");
    }

    @Test
    void envProfileIsMergedOverEnv() throws Exception {
        herd.file("ecosystem.json", """
                {"apps": [{"name": "p", "script": "greeter.sh", "env": {"GREETING": "dev", "KEEP": "k"},
                           "env_production": {"GREETING": "prod"}}]}
                """);
        herd.run("start", "ecosystem.json", "--env", "production").ok();
        JsonNode p = herd.awaitStatus("p", "online");
        assertThat(env(p, "GREETING")).isEqualTo("prod");
        assertThat(env(p, "KEEP")).isEqualTo("k");
    }

    @Test
    void theCommandLinesEnvironmentIsUnderTheConfigsEnv() throws Exception {
        herd.env.put("FROM_SHELL", "shell");
        herd.env.put("GREETING", "shell");
        herd.file("ecosystem.json", """
                {"apps": [{"name": "p", "script": "greeter.sh", "env": {"GREETING": "file"}}]}
                """);
        herd.run("start", "ecosystem.json").ok();
        JsonNode p = herd.awaitStatus("p", "online");
        assertThat(env(p, "FROM_SHELL")).isEqualTo("shell");
        assertThat(env(p, "GREETING")).isEqualTo("file");
    }

    @Test
    void onlyStartsTheNamedApps() throws Exception {
        herd.file("ecosystem.json", """
                {"apps": [{"name": "a", "script": "greeter.sh"}, {"name": "b", "script": "greeter.sh"},
                          {"name": "c", "script": "greeter.sh"}]}
                """);
        herd.run("start", "ecosystem.json", "--only", "a,c").ok();
        herd.awaitStatus("a", "online");
        herd.awaitStatus("c", "online");
        assertThat(names()).containsExactly("a", "c");
    }

    @Test
    void startOrRestartTwiceRestartsTheAppsWithTheFilesNewConfiguration() throws Exception {
        Path file = herd.file("ecosystem.json", """
                {"apps": [{"name": "r", "script": "greeter.sh", "env": {"GREETING": "v1"}}]}
                """);
        herd.run("startOrRestart", "ecosystem.json").ok();
        JsonNode first = herd.awaitStatus("r", "online");
        Files.writeString(file, """
                {"apps": [{"name": "r", "script": "greeter.sh", "env": {"GREETING": "v2"}}]}
                """);
        herd.run("startOrRestart", "ecosystem.json").ok();
        JsonNode second = herd.await("r", "restarted", p -> status(p).equals("online") && restarts(p) == 1);
        assertThat(second.get("pm_id").asInt()).isEqualTo(first.get("pm_id").asInt());
        assertThat(second.get("pid").asLong()).isNotEqualTo(first.get("pid").asLong());
        assertThat(env(second, "GREETING")).isEqualTo("v2");
        assertThat(names()).containsExactly("r");
        herd.awaitLine(herd.log("r-out.log"), "greeting=v2 args=");
    }

    @Test
    void restartWithUpdateEnvTakesTheShellsEnvironment() throws Exception {
        herd.env.put("GREETING", "old");
        herd.run("start", "greeter.sh").ok();
        herd.awaitStatus("greeter", "online");
        herd.env.put("GREETING", "new");
        herd.run("restart", "greeter", "--update-env").ok();
        JsonNode p = herd.await("greeter", "restarted", x -> status(x).equals("online") && restarts(x) == 1);
        assertThat(env(p, "GREETING")).isEqualTo("new");
    }

    @Test
    void restartWithoutUpdateEnvKeepsTheAppsEnvironment() throws Exception {
        herd.env.put("GREETING", "old");
        herd.run("start", "greeter.sh").ok();
        herd.awaitStatus("greeter", "online");
        herd.env.put("GREETING", "new");
        herd.run("restart", "greeter").ok();
        JsonNode p = herd.await("greeter", "restarted", x -> status(x).equals("online") && restarts(x) == 1);
        assertThat(env(p, "GREETING")).isEqualTo("old");
    }

    @Test
    void aConfigAsTargetStopsAndDeletesItsAppsOnly() throws Exception {
        herd.file("ecosystem.json", """
                {"apps": [{"name": "a", "script": "greeter.sh"}, {"name": "b", "script": "greeter.sh"}]}
                """);
        herd.run("start", "greeter.sh", "--name", "other").ok();
        herd.run("start", "ecosystem.json").ok();
        herd.run("stop", "ecosystem.json").ok();
        assertThat(status(herd.app("a"))).isEqualTo("stopped");
        assertThat(status(herd.app("b"))).isEqualTo("stopped");
        assertThat(status(herd.app("other"))).isEqualTo("online");
        herd.run("delete", "ecosystem.json").ok();
        assertThat(names()).containsExactly("other");
    }

    @Test
    void anUnknownKeyWarnsAndTheAppStarts() throws Exception {
        herd.file("ecosystem.json", """
                {"apps": [{"name": "w", "script": "greeter.sh", "colour": "blue"}]}
                """);
        Herd.Result r = herd.run("start", "ecosystem.json").ok();
        assertThat(r.err()).contains("ecosystem.json: app 'w': unknown key 'colour' (ignored)");
        herd.awaitStatus("w", "online");
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("bad.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}", "bad.json: malformed"),
                Arguments.of("bad.yml", "apps:\n  - name: x\n   script: [\n", "bad.yml: malformed"),
                Arguments.of("bad.config.js", "module.exports = { apps: [ { name: 'x' ] };\n", "bad.config.js: line 1: SyntaxError"),
                Arguments.of("throws.config.js", "throw new Error('no config for you');\n", "throws.config.js: Error: no config for you"),
                Arguments.of("type.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}, {\"name\": \"y\", \"script\": \"greeter.sh\", \"max_restarts\": \"many\"}]}",
                        "type.json: app 'y': 'max_restarts' must be a number, not \"many\""),
                Arguments.of("noscript.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}, {\"name\": \"y\"}]}",
                        "noscript.json: app 'y': 'script' is missing"),
                Arguments.of("missing.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}, {\"name\": \"y\", \"script\": \"nope.sh\"}]}",
                        "missing.json: app 'y': script not found"),
                Arguments.of("twice.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}, {\"name\": \"x\", \"script\": \"greeter.sh\"}]}",
                        "twice.json: two apps are named 'x'"),
                Arguments.of("cluster.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\", \"instances\": \"many\"}]}",
                        "cluster.json: app 'x': 'instances' must be a number, max or -N, not \"many\""),
                Arguments.of("signal.json", "{\"apps\": [{\"name\": \"x\", \"script\": \"greeter.sh\"}, {\"name\": \"y\", \"script\": \"greeter.sh\", \"kill_signal\": \"SIGNOPE\"}]}",
                        "'kill_signal' is not a signal"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void anInvalidConfigStartsNothingAndSaysWhyInOneLine(String name, String text, String message) throws Exception {
        herd.run("start", "greeter.sh", "--name", "before").ok();
        herd.file(name, text);
        Herd.Result r = herd.run("start", name);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(message);
        assertThat(names()).containsExactly("before");
        assertThat(status(herd.app("before"))).isEqualTo("online");
    }

    @Test
    void initWritesASampleConfigThatStartsAndNeverOverwritesOne() throws Exception {
        herd.file("app.js", Fixtures.IPC_JS);
        herd.run("init").ok();
        Path sample = herd.dir.resolve("ecosystem.config.js");
        assertThat(sample).exists();
        herd.run("start", "ecosystem.config.js", "--only", "web", "--env", "production").ok();
        assertThat(env(herd.awaitStatus("web", "online"), "NODE_ENV")).isEqualTo("production");
        Files.writeString(sample, "// mine\n");
        Herd.Result again = herd.run("init");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("exists already");
        assertThat(Files.readString(sample)).isEqualTo("// mine\n");
    }
}
