# HTTP traffic runs the alias "live" of each API function, not $LATEST. Terraform updates
# $LATEST (code and configuration); scripts/deploy then publishes a version of every API function
# after the migrations and moves "live" to it (functions/internal/release). Rolling back is moving
# "live" back to the previous version: seconds, no rebuild, no apply (docs/deploy.md).
#
# Terraform creates the first version and the alias once and then leaves both to the release
# tool, which is why the version ignores all changes and the alias ignores where it points.
# The COS and timer triggers stay on $LATEST (the inline triggers take no qualifier): the media
# and timer functions roll back by deploying an earlier build.

resource "tencentcloud_scf_function_version" "first" {
  for_each      = { for name, f in local.functions : name => f if f.kind == "api" }
  function_name = tencentcloud_scf_function.fn[each.key].name
  namespace     = tencentcloud_scf_namespace.this.namespace
  description   = "first version; later ones are published by scripts/deploy"

  lifecycle {
    ignore_changes = all
  }
}

resource "tencentcloud_scf_function_alias" "live" {
  for_each         = tencentcloud_scf_function_version.first
  name             = "live"
  function_name    = each.value.function_name
  namespace        = tencentcloud_scf_namespace.this.namespace
  function_version = each.value.function_version
  description      = "what HTTP traffic runs; moved by functions/internal/release"

  lifecycle {
    ignore_changes = [function_version, description, routing_config]
  }
}
