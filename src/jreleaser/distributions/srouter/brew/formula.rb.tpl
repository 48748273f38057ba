# {{jreleaserCreationStamp}}
# Prepared by JReleaser from srouter's src/jreleaser/distributions/srouter/brew/formula.rb.tpl.
class {{brewFormulaName}} < Formula
  desc "{{projectDescription}}"
  homepage "{{projectLinkHomepage}}"
  url "{{distributionUrl}}"
  version "{{projectVersion}}"
  sha256 "{{distributionChecksumSha256}}"
  license "{{projectLicense}}"

{{#brewDependencies}}
  depends_on {{.}}
{{/brewDependencies}}

  def install
    libexec.install Dir["*"]
    # Homebrew's openjdk@{{distributionJavaVersion}} is keg-only (not on the PATH): the launcher runs with
    # JAVA_HOME set to it, unless JAVA_HOME is already set.
    (bin/"{{distributionExecutableName}}").write_env_script libexec/"bin/{{distributionExecutableUnix}}",
      Language::Java.overridable_java_home_env("{{distributionJavaVersion}}")
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/{{distributionExecutableName}} --version")
  end
end
