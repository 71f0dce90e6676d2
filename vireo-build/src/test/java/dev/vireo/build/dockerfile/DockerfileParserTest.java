package dev.vireo.build.dockerfile;

import dev.vireo.build.DockerfileException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerfileParserTest {
    private static Dockerfile parse(String text) {
        return DockerfileParser.parse("Dockerfile", text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Instruction> body(String text) {
        return parse(text).stages().getFirst().instructions();
    }

    private static DockerfileException error(String text) {
        return assertThrows(DockerfileException.class, () -> parse(text));
    }

    @Test
    void continuationsJoinLinesAndSkipCommentsAndBlankLines() {
        Dockerfile d = parse("""
                FROM busybox
                RUN echo hello \\
                # a comment inside the continuation
                  world \\\t
                \s
                  again
                RUN echo 'we are running some # of cool things'
                """);
        List<Instruction> body = d.stages().getFirst().instructions();
        Instruction.Run run = assertInstanceOf(Instruction.Run.class, body.getFirst());
        assertEquals(new Command.Shell("echo hello   world   again"), run.command());
        assertEquals(2, run.where().line());
        assertEquals(1, d.warnings().size(), "the blank continuation line is warned about");
        Instruction.Run second = assertInstanceOf(Instruction.Run.class, body.get(1));
        assertEquals(7, second.where().line());
        assertEquals(new Command.Shell("echo 'we are running some # of cool things'"), second.command());
    }

    @Test
    void leadingWhitespaceCaseInsensitiveKeywordsAndComments() {
        List<Instruction> body = body("""
                    # comment
                  from busybox AS Build
                    run true
                """);
        Instruction.Run run = assertInstanceOf(Instruction.Run.class, body.getFirst());
        assertEquals(new Command.Shell("true"), run.command());
        assertEquals("build", parse("FROM busybox AS Build\n").stages().getFirst().name());
    }

    @Test
    void escapeDirectiveChangesTheContinuationCharacter() {
        Dockerfile d = parse("""
                # escape=`

                FROM busybox
                COPY testfile.txt c:\\
                RUN dir c:\\
                RUN echo a `
                  b
                """);
        assertEquals('`', d.escape());
        List<Instruction> body = d.stages().getFirst().instructions();
        Instruction.Copy copy = assertInstanceOf(Instruction.Copy.class, body.getFirst());
        assertEquals("c:\\", copy.destination());
        assertEquals(new Command.Shell("dir c:\\"), ((Instruction.Run) body.get(1)).command());
        assertEquals(new Command.Shell("echo a   b"), ((Instruction.Run) body.get(2)).command());
    }

    @Test
    void directivesOnlyAtTheTopAndUnknownOnesEndThem() {
        assertEquals('\\', parse("# about\n# escape=`\nFROM x\n").escape());
        assertEquals('\\', parse("# unknowndirective=value\n# escape=`\nFROM x\n").escape());
        assertEquals('`', parse("#  ESCAPE = `\nFROM x\n").escape());
        assertEquals("docker/dockerfile:1", parse("# syntax=docker/dockerfile:1\nFROM x\n").syntax());
        assertTrue(error("# escape=`\n# escape=\\\nFROM x\n").getMessage().contains("only one escape"));
        assertTrue(error("# escape=x\nFROM x\n").getMessage().contains("invalid escape token"));
    }

    @Test
    void execFormIsAJsonArrayElseShellForm() {
        List<Instruction> body = body("""
                FROM busybox
                RUN ["echo", "a b"]
                RUN [ -f /etc/passwd ] && echo yes
                CMD []
                ENTRYPOINT ["/bin/sh", "-c"]
                SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
                """);
        assertEquals(new Command.Exec(List.of("echo", "a b")), ((Instruction.Run) body.get(0)).command());
        assertEquals(new Command.Shell("[ -f /etc/passwd ] && echo yes"), ((Instruction.Run) body.get(1)).command());
        assertEquals(new Command.Exec(List.of()), ((Instruction.Cmd) body.get(2)).command());
        assertEquals(List.of("/bin/bash", "-eo", "pipefail", "-c"), ((Instruction.Shell) body.get(4)).shell());
        assertTrue(error("FROM x\nSHELL /bin/sh -c\n").getMessage().contains("JSON form"));
    }

    @Test
    void envAndLabelKeyValueForms() {
        List<Instruction> body = body("""
                FROM busybox
                ENV MY_NAME="John Doe" MY_DOG=Rex\\ The\\ Dog \\
                    MY_CAT=fluffy
                ENV ONE TWO= THREE=world
                LABEL "com.example.vendor"="ACME Incorporated" version=1.0
                """);
        Instruction.Env env = (Instruction.Env) body.get(0);
        assertEquals(List.of(new Instruction.KeyValue("MY_NAME", "\"John Doe\""),
                new Instruction.KeyValue("MY_DOG", "Rex\\ The\\ Dog"), new Instruction.KeyValue("MY_CAT", "fluffy")), env.pairs());
        assertEquals(List.of(new Instruction.KeyValue("ONE", "TWO= THREE=world")), ((Instruction.Env) body.get(1)).pairs());
        assertEquals(new Instruction.KeyValue("\"com.example.vendor\"", "\"ACME Incorporated\""),
                ((Instruction.Label) body.get(2)).labels().getFirst());
        assertTrue(error("FROM x\nENV A=1 B\n").getMessage().contains("can't find ="));
        assertTrue(error("FROM x\nENV A\n").getMessage().contains("two arguments"));
    }

    @Test
    void argsBeforeFromAreGlobalAndStagesAreCollected() {
        Dockerfile d = parse("""
                ARG VERSION=latest
                ARG OTHER
                FROM busybox:$VERSION AS build
                RUN true
                FROM --platform=linux/amd64 scratch
                COPY --from=build /a /b
                """);
        assertEquals(2, d.globalArgs().size());
        assertEquals(new Instruction.KeyValue("VERSION", "latest"), d.globalArgs().getFirst().args().getFirst());
        assertNull(d.globalArgs().get(1).args().getFirst().value());
        assertEquals(2, d.stages().size());
        assertEquals("busybox:$VERSION", d.stages().get(0).from().image());
        assertEquals("linux/amd64", d.stages().get(1).from().platform());
        Instruction.Copy copy = (Instruction.Copy) d.stages().get(1).instructions().getFirst();
        assertEquals("build", copy.from());
        assertEquals(d.stages().getFirst(), d.stage("BUILD", 1).orElseThrow());
        assertEquals(d.stages().getFirst(), d.stage("0", 1).orElseThrow());
        assertTrue(d.stage("build", 0).isEmpty(), "a stage can only refer to earlier ones");
    }

    @Test
    void copyAndAddOptionsAndForms() {
        List<Instruction> body = body("""
                FROM busybox
                COPY --chown=55:mygroup --chmod=644 files* /somedir/
                COPY ["a b.txt", "/dest dir/"]
                ADD --checksum=sha256:abc --unpack=false x.tar /x/
                COPY --exclude=*.txt --exclude=*.md hom* /mydir/
                """);
        Instruction.Copy first = (Instruction.Copy) body.get(0);
        assertEquals("55:mygroup", first.chown());
        assertEquals("644", first.chmod());
        assertEquals(List.of("files*"), first.sources());
        assertEquals(List.of("a b.txt"), ((Instruction.Copy) body.get(1)).sources());
        assertEquals("/dest dir/", ((Instruction.Copy) body.get(1)).destination());
        Instruction.Copy add = (Instruction.Copy) body.get(2);
        assertTrue(add.add());
        assertEquals("false", add.unpack());
        assertEquals(List.of("*.txt", "*.md"), ((Instruction.Copy) body.get(3)).excludes());
    }

    @Test
    void heredocsAreReadToTheirTerminator() {
        List<Instruction> body = body("""
                FROM busybox
                RUN <<EOF
                echo one
                echo two
                EOF
                COPY <<-"END" /greeting.txt
                \thello $NAME
                \tEND
                RUN echo after
                """);
        Instruction.Run run = (Instruction.Run) body.get(0);
        assertEquals(List.of(new Heredoc("EOF", "echo one\necho two\n", true, false, "<<EOF")), run.heredocs());
        Instruction.Copy copy = (Instruction.Copy) body.get(1);
        assertEquals("hello $NAME\n", copy.heredocs().getFirst().content());
        assertTrue(!copy.heredocs().getFirst().expand());
        assertEquals(9, body.get(2).where().line());
        assertTrue(error("FROM x\nRUN <<EOF\nno end\n").getMessage().contains("unterminated here-document"));
    }

    @Test
    void healthcheckAndOnbuild() {
        List<Instruction> body = body("""
                FROM busybox
                HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1
                HEALTHCHECK NONE
                ONBUILD RUN echo triggered
                """);
        Instruction.Healthcheck hc = (Instruction.Healthcheck) body.get(0);
        assertEquals("5m", hc.interval());
        assertEquals(new Command.Shell("curl -f http://localhost/ || exit 1"), hc.test());
        assertNull(((Instruction.Healthcheck) body.get(1)).test());
        assertEquals("RUN echo triggered", ((Instruction.OnBuild) body.get(2)).trigger());
        assertTrue(error("FROM x\nONBUILD ONBUILD RUN x\n").getMessage().contains("chaining"));
        assertTrue(error("FROM x\nONBUILD FROM y\n").getMessage().contains("isn't allowed"));
        assertTrue(error("FROM x\nHEALTHCHECK RUN x\n").getMessage().contains("unknown type"));
    }

    @Test
    void errorsNameFileLineAndInstruction() {
        assertEquals("Dockerfile:3: unknown instruction: RUNN", error("FROM x\n\nRUNN echo\n").getMessage());
        assertEquals("Dockerfile:2: COPY: COPY requires at least two arguments, but only 1 was provided. "
                + "Destination could not be determined.", error("FROM x\nCOPY a\n").getMessage());
        assertEquals("Dockerfile:1: RUN: no build stage in current context (only ARG may come before the first FROM)",
                error("RUN true\nFROM x\n").getMessage());
        assertEquals("Dockerfile:2: COPY: unknown flag: --frm", error("FROM x\nCOPY --frm=a b c\n").getMessage());
        assertEquals("Dockerfile:2: FROM: duplicate stage name \"a\"", error("FROM x AS a\nFROM y AS a\n").getMessage());
        assertTrue(error("FROM x AS 1a\n").getMessage().contains("invalid name for build stage"));
        assertTrue(error("FROM x y\n").getMessage().contains("one or three arguments"));
        assertTrue(error("").getMessage().contains("no instructions"));
        assertTrue(error("ARG A\n").getMessage().contains("no FROM"));
        assertTrue(error("FROM x\nRUN --mount=type=cache,target=/x true\n").getMessage().startsWith("Dockerfile:2: RUN: --mount"));
        assertTrue(error("FROM x\nWORKDIR\n").getMessage().contains("exactly one argument"));
    }

    @Test
    void crlfAndByteOrderMarkAreAccepted() {
        List<Instruction> body = body("\uFEFFFROM busybox\r\nRUN a \\\r\n b\r\n");
        assertEquals(new Command.Shell("a  b"), ((Instruction.Run) body.getFirst()).command());
    }
}
