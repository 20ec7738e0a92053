package io.ocus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API as a Java caller sees it: builders, blocking calls, futures, for-each, exceptions. */
class JavaApiTest {
    private static Emulator mock;
    private static List<String> ids;

    @BeforeAll
    static void start() {
        mock = new Emulator();
        ids = mock.projectIds();
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    private static OcusClient client() {
        return OcusClient.builder()
                .apiKey(EmulatorKt.ALPHA)
                .baseUrl(mock.getBaseUrl())
                .timeout(Duration.ofSeconds(10))
                .maxRetries(1)
                .defaultHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();
    }

    @Test
    void blockingFutureAndIteration() throws Exception {
        mock.reset(Emulator.Companion.defaultKeys());
        try (OcusClient client = client()) {
            Project project = client.getProjects().getBlocking(ids.get(0));
            assertEquals(ids.get(0), project.getId());
            assertTrue(project.isKnownStatus());
            assertEquals(200, project.getResponse().getStatus());

            CompletableFuture<Project> future = client.getProjects().getAsync(ids.get(1));
            assertEquals(ids.get(1), future.get(10, TimeUnit.SECONDS).getId());

            List<String> seen = new ArrayList<>();
            for (Project p : client.getProjects().listBlocking(ListParams.builder().pageSize(50).build())) {
                seen.add(p.getId());
            }
            assertEquals(ids.size(), seen.size());

            ProjectPage page = client.getProjects().listPageBlocking(ListParams.builder().pageSize(2).build());
            assertTrue(page.hasNext());
            assertEquals(2, page.getData().size());

            RequestOptions options = RequestOptions.builder().timeout(Duration.ofSeconds(5)).header("x-trace", "1").build();
            assertEquals(ids.get(2), client.getProjects().getBlocking(ids.get(2), options).getId());
        }
    }

    @Test
    void exceptionsAreTypedForJava() {
        mock.reset(Emulator.Companion.defaultKeys());
        try (OcusClient client = OcusClient.builder().apiKey("sk_test_nobody").baseUrl(mock.getBaseUrl()).build()) {
            AuthenticationException error = assertThrows(AuthenticationException.class, () -> client.getProjects().getBlocking(ids.get(0)));
            assertEquals(401, error.getStatus());
            assertEquals("unauthorized", error.getKind());
            ExecutionException wrapped = assertThrows(ExecutionException.class, () -> client.getProjects().getAsync(ids.get(0)).get());
            assertTrue(wrapped.getCause() instanceof ApiException);
        }
        ConfigurationException bad = assertThrows(ConfigurationException.class,
                () -> OcusClient.builder().apiKey(EmulatorKt.ALPHA).baseUrl("ftp://example.com").build());
        assertEquals("configuration", bad.getKind());
    }

    @Test
    void webhooksFromJava() {
        byte[] body = "{\"type\":\"event\",\"id\":\"project.updated\",\"attributes\":{\"project_id\":\"p1\"}}".getBytes(StandardCharsets.UTF_8);
        String signature = Webhooks.sign(body, "whsec");
        WebhookEvent event = Webhooks.verify(body, signature, "whsec");
        assertEquals("p1", event.getProjectId());
        assertEquals(SignedPart.BODY, event.getSignedPart());
        assertThrows(SignatureVerificationException.class, () -> Webhooks.verify(body, signature, "other"));
    }
}
