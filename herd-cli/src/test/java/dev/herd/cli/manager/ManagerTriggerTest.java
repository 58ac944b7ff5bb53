package dev.herd.cli.manager;

import static dev.herd.cli.manager.Herd.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd trigger NAME ACTION [PARAM]}, black-box: actions a Node program written for pm2
 * (speaking {@code @pm2/io}'s messages by hand) and a Herd program ({@code Actions.register})
 * register, listed by jlist ({@code axm_actions}) and describe, run by trigger with and without a
 * param, and trigger's errors.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerTriggerTest {
    /**
     * Node, as {@code @pm2/io} does it without the library: {@code hello} replies {success, pid};
     * {@code echo} replies {got: param}; {@code mute} never replies.
     */
    static final String PM2_ACTIONS_JS = """
            const handlers = {};
            function action(name, fn) {
              handlers[name] = fn;
              process.send({type: 'axm:action', data: {action_name: name, action_type: 'custom', arity: fn.length}});
            }
            process.on('message', data => {
              const name = data.msg ? data.msg : data.action_name ? data.action_name : data;
              const fn = handlers[name];
              if (!fn) return;
              const reply = r => process.send({type: 'axm:reply', data: {return: r, action_name: name, at: Date.now()}});
              if (fn.length === 2) fn(typeof data === 'object' ? data.opts : {}, reply); else fn(reply);
            });
            action('hello', reply => reply({success: true, pid: process.pid}));
            action('echo', (param, reply) => reply({got: param}));
            action('mute', (param, reply) => {});
            console.log('actions registered ' + process.pid);
            setInterval(() => {}, 1000);
            """;

    @TempDir
    Path tmp;

    private Herd herd;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    private static List<String> actionNames(JsonNode p) {
        List<String> names = new ArrayList<>();
        for (JsonNode a : p.get("pm2_env").get("axm_actions")) names.add(a.get("action_name").asText());
        return names;
    }

    /** Starts the Node fixture as {@code pm2app} and waits until its three actions are registered. */
    private JsonNode startNodeApp() throws Exception {
        herd.run("start", herd.file("pm2app.js", PM2_ACTIONS_JS).toString()).ok();
        return herd.await("pm2app", "three actions registered", p -> actionNames(p).size() == 3);
    }

    @Test
    void aNodeProgramWrittenForPm2HasItsActionsInJlist() throws Exception {
        JsonNode p = startNodeApp();
        assertThat(actionNames(p)).containsExactly("hello", "echo", "mute");
        JsonNode hello = p.get("pm2_env").get("axm_actions").get(0);
        assertThat(hello.get("action_type").asText()).isEqualTo("custom");
        assertThat(hello.get("arity").asInt()).isEqualTo(1);
    }

    @Test
    void describeListsTheActionsAvailable() throws Exception {
        startNodeApp();
        String out = herd.run("describe", "pm2app").ok().out();
        assertThat(out).contains("Actions available").contains("│ hello │").contains("│ echo  │")
                .contains("Trigger via: herd trigger pm2app <action_name>");
    }

    @Test
    void triggerRunsANodeProgramsActionAndPrintsItsReplyAsPm2Does() throws Exception {
        long pid = startNodeApp().get("pid").asLong();
        Herd.Result r = herd.run("trigger", "pm2app", "hello").ok();
        assertThat(r.out()).contains("1 processes have received command hello")
                .contains("[pm2app:0:default]={\"success\":true,\"pid\":" + pid + "}");
    }

    @Test
    void triggerPassesItsParamToTheAction() throws Exception {
        startNodeApp();
        Herd.Result r = herd.run("trigger", "0", "echo", "some words").ok();
        assertThat(r.out()).contains("[pm2app:0:default]={\"got\":\"some words\"}");
    }

    @Test
    void aHerdProgramsActionIsListedAndTriggeredWithAndWithoutAParam() throws Exception {
        List<String> herdJars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(":")) {
            // Herd and what it needs to read a message (Jackson): a real Herd jar brings both.
            if (e.matches(".*/(herd-(os|loop|io|node)|jackson-[a-z-]+)[^/]*\\.jar") || e.endsWith("herd-node/target/classes")) {
                herdJars.add(Path.of(e).toUri().toString());
            }
        }
        Path jar = ManagerStartTest.jar(herd.dir.resolve("svc.jar"), ManagedActionsProgram.class, String.join(" ", herdJars));
        herd.run("start", jar.toString(), "--name", "svc").ok();
        JsonNode p = herd.await("svc", "its action registered", a -> actionNames(a).contains("greet"));
        herd.awaitLine(herd.log("svc-out.log"), "actions registered=true");
        JsonNode greet = p.get("pm2_env").get("axm_actions").get(0);
        assertThat(greet.get("action_type").asText()).isEqualTo("custom");
        long pid = p.get("pid").asLong();
        assertThat(herd.run("trigger", "svc", "greet").ok().out())
                .contains("[svc:0:default]={\"from\":\"herd\",\"pid\":" + pid + ",\"param\":\"none\"}");
        assertThat(herd.run("trigger", "svc", "greet", "x y").ok().out())
                .contains("[svc:0:default]={\"from\":\"herd\",\"pid\":" + pid + ",\"param\":\"x y\"}");
    }

    @Test
    void triggerOfAllReachesOnlyTheProcessesThatRegisteredTheAction() throws Exception {
        startNodeApp();
        herd.run("start", herd.file("ticker.sh", Fixtures.TICKER_SH).toString()).ok();
        herd.awaitStatus("ticker", "online");
        Herd.Result r = herd.run("trigger", "all", "hello").ok();
        assertThat(r.out()).contains("1 processes have received command hello").contains("[pm2app:0:default]=")
                .doesNotContain("ticker");
    }

    @Test
    void triggerOfAnUnknownAppFails() throws Exception {
        startNodeApp();
        Herd.Result r = herd.run("trigger", "nope", "hello");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd trigger: process or namespace nope not found");
    }

    @Test
    void triggerOfAStoppedAppFails() throws Exception {
        startNodeApp();
        herd.run("stop", "pm2app").ok();
        Herd.Result r = herd.run("trigger", "pm2app", "hello");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd trigger: pm2app is not running");
    }

    @Test
    void triggerOfAnActionTheAppDidNotRegisterFailsWithPm2sMessage() throws Exception {
        startNodeApp();
        Herd.Result r = herd.run("trigger", "pm2app", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd trigger: Action doesn't exist nope for pm2app");
    }

    @Test
    void triggerOfAnActionThatNeverRepliesFailsAfterItsTimeoutAndTheDaemonCarriesOn() throws Exception {
        startNodeApp();
        Herd.Result r = herd.run("trigger", "pm2app", "mute", "--timeout", "300");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd trigger: mute: App [pm2app:0]: no reply within 300 ms");
        assertThat(herd.run("trigger", "pm2app", "hello").ok().out()).contains("[pm2app:0:default]={\"success\":true");
    }

    @Test
    void triggerWithoutAnActionIsAUsageError() throws Exception {
        Herd.Result r = herd.run("trigger", "pm2app");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("herd trigger: usage: herd trigger TARGET ACTION [PARAM] [--timeout MS]");
        Herd.Result t = herd.run("trigger", "pm2app", "hello", "--timeout", "soon");
        assertThat(t.code()).isEqualTo(1);
        assertThat(t.err().strip()).isEqualTo("herd trigger: --timeout needs a number of milliseconds, not 'soon'");
    }

    @Test
    void anAppsActionsAreForgottenWhenItsProcessExitsAndRegisteredAgainByTheNext() throws Exception {
        startNodeApp();
        herd.run("stop", "pm2app").ok();
        assertThat(actionNames(herd.app("pm2app"))).isEmpty();
        herd.run("restart", "pm2app").ok();
        herd.await("pm2app", "three actions registered again", p -> actionNames(p).size() == 3);
        assertThat(herd.run("trigger", "pm2app", "hello").ok().out()).contains("1 processes have received command hello");
    }

    @Test
    void theActionsOfARunningAppOutliveTheDaemon() throws Exception {
        long pid = startNodeApp().get("pid").asLong();
        long daemon = herd.daemonPid();
        new ProcessBuilder("kill", "-9", Long.toString(daemon)).start().waitFor();
        assertThat(Herd.awaitGone(daemon, 10_000)).isTrue();
        // The next command starts a daemon that re-adopts the app: its actions are still known.
        JsonNode p = herd.app("pm2app");
        assertThat(p.get("pid").asLong()).isEqualTo(pid);
        assertThat(status(p)).isEqualTo("online");
        assertThat(actionNames(p)).containsExactly("hello", "echo", "mute");
        assertThat(herd.run("trigger", "pm2app", "echo", "again").ok().out()).contains("[pm2app:0:default]={\"got\":\"again\"}");
    }
}
