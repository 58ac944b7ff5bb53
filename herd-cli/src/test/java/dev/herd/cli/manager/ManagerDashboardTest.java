package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's page (issue 16) in a real browser: headless Chromium driven by Selenium (Debian's
 * chromium and chromium-driver, Selenium from pip; {@code .ci/run} installs them). The page opens
 * with the URL's token, shows the apps live, draws its charts, and its restart button restarts an
 * app; a screenshot is kept in {@code target/dashboard.png}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManagerDashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/\\?token=[0-9a-f]{64})");

    /** Opens the page, presses app 0's restart button, and prints what it saw as JSON. */
    private static final String BROWSE_PY = """
            import json, sys, time
            from selenium import webdriver
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support.ui import WebDriverWait
            url, shot = sys.argv[1], sys.argv[2]
            opts = webdriver.ChromeOptions()
            opts.binary_location = "/usr/bin/chromium"
            for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1300,1400"):
                opts.add_argument(a)
            d = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
            try:
                d.get(url)
                wait = WebDriverWait(d, 30)
                row = lambda: d.find_element(By.CSS_SELECTOR, "#processes tbody tr[data-id='0']")
                wait.until(lambda _: row().find_element(By.CSS_SELECTOR, ".status").text == "online")
                seen = {"name": row().find_element(By.CSS_SELECTOR, ".name").text,
                        "rows": len(d.find_elements(By.CSS_SELECTOR, "#processes tbody tr")),
                        "before": row().find_element(By.CSS_SELECTOR, ".restarts").text}
                row().find_element(By.CSS_SELECTOR, "button.restart").click()
                wait.until(lambda _: row().find_element(By.CSS_SELECTOR, ".restarts").text == "1")
                wait.until(lambda _: row().find_element(By.CSS_SELECTOR, ".status").text == "online")
                seen["after"] = row().find_element(By.CSS_SELECTOR, ".restarts").text
                wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, "#charts canvas")) >= 2)
                seen["charts"] = len(d.find_elements(By.CSS_SELECTOR, "#charts canvas"))
                wait.until(lambda _: "tick" in d.find_element(By.ID, "logs").text)
                wait.until(lambda _: any(td.text == "restart" for td in d.find_elements(By.CSS_SELECTOR, "#timeline td")))
                seen["status"] = d.find_element(By.ID, "status").text
                d.save_screenshot(shot)
                print(json.dumps(seen))
            finally:
                d.quit()
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

    @Test
    void thePageShowsTheAppsLiveDrawsItsChartsAndItsRestartButtonRestartsAnApp() throws Exception {
        Path tick = herd.file("tick.sh", "#!/bin/sh\nwhile true; do echo \"tick $$\"; sleep 0.2; done\n");
        herd.run("start", tick.toString(), "--name", "ticker").ok();
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle").ok();
        herd.awaitStatus("ticker", "online");
        Matcher m = URL.matcher(herd.run("dashboard", "--port", "0").ok().out());
        assertThat(m.find()).isTrue();
        Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Process p = new ProcessBuilder("python3", "-c", BROWSE_PY, m.group(1), shot.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the browser's run: %s", err).isZero();
        JsonNode seen = JSON.readTree(out);
        assertThat(seen.get("name").asText()).isEqualTo("ticker");
        assertThat(seen.get("rows").asInt()).isEqualTo(2);
        assertThat(seen.get("before").asText()).isEqualTo("0");
        assertThat(seen.get("after").asText()).isEqualTo("1");
        assertThat(seen.get("charts").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(seen.get("status").asText()).startsWith("live");
        assertThat(Herd.restarts(herd.app("ticker"))).isEqualTo(1);
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isPositive();
    }
}
