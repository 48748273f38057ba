{{! srouter's JBang catalog entry (src/jreleaser/distributions/srouter/jbang/jbang-catalog.json.tpl): }}
{{! the alias runs the shaded jar attached to the release (files in jreleaser.yml), not a script }}
{{! with //DEPS on Maven Central, where srouter is not published. java-options: the launcher's. }}
{
  "aliases": {
    "{{jbangAliasName}}": {
      "script-ref": "https://{{repoHost}}/{{repoOwner}}/{{repoName}}/releases/download/{{tagName}}/srouter.jar",
      "description": "{{projectDescription}}",
      "java": "{{distributionJavaVersion}}+",
      "java-options": ["-XX:+UseSerialGC"]
    }
  }
}
