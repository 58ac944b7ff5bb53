package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * herd-bom ({@code dev.herd:herd-bom}, docs/getting-started.md) against the reactor: a project
 * that imports it can depend on any Herd module without a version.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BomTest {
    private static final Path ROOT = repositoryRoot();

    @Test
    void theBomManagesEveryModuleOfTheReactorAtTheProjectVersion() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        List<String> modules = new ArrayList<>();
        for (Element module : children(child(parent, "modules"), "module")) {
            String artifactId = text(read(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml")), "artifactId");
            if (!artifactId.equals("herd-bom")) modules.add(artifactId);
        }
        assertThat(modules).contains("herd-os", "herd-node", "herd-cli");

        List<String> managed = new ArrayList<>();
        Element bom = read(ROOT.resolve("herd-bom/pom.xml"));
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo("dev.herd");
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            managed.add(text(dependency, "artifactId"));
        }
        assertThat(managed).containsExactlyInAnyOrderElementsOf(modules);
    }

    @Test
    void theBomHasNoParentAndTheParentsCoordinates() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        Element bom = read(ROOT.resolve("herd-bom/pom.xml"));
        // A parent would import herd-parent's dependencyManagement (JUnit, Jackson...) into users' builds.
        assertThat(children(bom, "parent")).isEmpty();
        assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));
        assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
        assertThat(text(bom, "packaging")).isEqualTo("pom");
    }

    private static Element read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) found.add(e);
        }
        return found;
    }

    private static Element child(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        assertThat(found).as("<" + tag + "> in <" + parent.getTagName() + ">").hasSize(1);
        return found.getFirst();
    }

    private static String text(Element parent, String tag) {
        return child(parent, tag).getTextContent().trim();
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("herd-bom/pom.xml"))) return dir;
        }
        throw new IllegalStateException("no directory containing herd-bom above " + Path.of("").toAbsolutePath());
    }
}
