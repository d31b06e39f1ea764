// Reads Kubernetes objects (multi-document YAML) on stdin and validates each against the schema of its
// apiVersion and kind, as generated from Kubernetes' OpenAPI document (kubernetes-models): types,
// required fields, enums. Prints one line per object; exits 1 if any is invalid or of an unknown kind.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8").on("data", (chunk) => (text += chunk)).on("end", () => resolve(text));
});

let failed = false;
for (const document of parseAllDocuments(input)) {
  const object = document.toJS();
  if (!object) continue;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  // kubernetes-models lays its classes out as <group>/<version>/<Kind>, the core group as <version>/<Kind>.
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`;
  const name = `${object.kind}/${object.metadata?.name}`;
  // kustomize folds long base64 values over lines; Kubernetes decodes them as Go does, ignoring line breaks.
  if (object.kind === "Secret" && object.data)
    for (const key of Object.keys(object.data)) object.data[key] = object.data[key].replace(/\s+/g, "");
  try {
    const Model = (await import(module))[object.kind];
    new Model(object).validate();
    console.log(`valid ${name}`);
  } catch (error) {
    failed = true;
    console.log(`INVALID ${name}: ${error.code === "ERR_MODULE_NOT_FOUND" ? `no schema for ${object.apiVersion} ${object.kind}` : error.message}`);
  }
}
process.exit(failed ? 1 : 0);
