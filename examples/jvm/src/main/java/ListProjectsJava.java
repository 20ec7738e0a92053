// The same from Java: a builder, blocking calls, for-each over every page, a CompletableFuture.
import io.ocus.ListParams;
import io.ocus.OcusClient;
import io.ocus.Project;
import io.ocus.ProjectPage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

public final class ListProjectsJava {
    private ListProjectsJava() {}

    public static void main(String[] args) throws Exception {
        // apiKey(...) and baseUrl(...) are optional: OCUS_API_KEY and OCUS_BASE_URL fill them.
        try (OcusClient client = OcusClient.builder().maxRetries(2).build()) {
            ProjectPage first = client.getProjects().listPageBlocking(ListParams.builder().pageSize(5).build());
            System.out.printf("first page: %d projects, more: %b%n", first.getData().size(), first.hasNext());

            Map<String, Integer> statuses = new TreeMap<>();
            for (Project project : client.getProjects().listBlocking(ListParams.builder().pageSize(50).build())) {
                statuses.merge(project.getStatus() == null ? "-" : project.getStatus(), 1, Integer::sum);
            }
            System.out.printf("all pages: %d projects%n", statuses.values().stream().mapToInt(Integer::intValue).sum());

            String id = first.getData().get(0).getId();
            CompletableFuture<Project> future = client.getProjects().getAsync(id);
            Project project = future.get();
            System.out.printf("%s is %s (request %s)%n", project.getId(), project.getStatus(), project.getResponse().getRequestId());
        }
    }
}
