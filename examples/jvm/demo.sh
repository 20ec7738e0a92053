#!/usr/bin/env bash
# The Kotlin and Java examples against the emulator (run by `make demo` via scripts/demo.sh),
# built by Maven against io.ocus:ocus from the local Maven repository (`make jvm-install`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
mvn -B -q --no-transfer-progress -Dstyle.color=never package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="target/classes:$(cat target/classpath.txt)"
export OCUS_API_KEY=ocus_demo_key
java -cp "$cp" listprojects.ListProjectsKt
java -cp "$cp" ListProjectsJava
java -cp "$cp" otelconsole.OtelConsoleKt
java -cp "$cp" handleerrors.HandleErrorsKt ocus_demo_key not_a_real_key ocus_demo_revoked_key ocus_demo_expired_key
"$here/../../scripts/webhook-roundtrip" project.status.updated body -- java -cp "$here/$cp" webhookreceiver.WebhookReceiverKt --once
"$here/../../scripts/webhook-roundtrip" project.status.updated data -- java -cp "$here/$cp" webhookreceiver.WebhookReceiverKt --once
