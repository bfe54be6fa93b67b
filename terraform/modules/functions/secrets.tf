# The functions' secrets live in one SSM secret per environment, not in SCF environment variables
# (those can be read by anyone allowed scf:GetFunction). Terraform writes the JSON object through
# the write-only argument secret_string_wo (Terraform >= 1.11), so the secret version keeps no copy
# in the state; a function reads it once at cold start as its run role (ssm:GetSecretValue on this
# secret only, modules/cam). What the catalog says a function needs must be in var.secrets: a
# missing one stops the plan at var.secrets[k].
#
# The values still reach the state through the resources that make them (random_password, the
# MySQL account): the state bucket is private, encrypted and per environment (docs/deploy.md).

locals {
  secrets_needed   = toset(flatten([for f in local.functions : f.secrets_needed]))
  secrets_optional = toset(flatten([for f in local.functions : f.secrets]))
  secret_values = merge(
    # Decided by the names alone, so the set of names is known at plan time (the values are not).
    { for k in local.secrets_optional : k => var.secrets[k] if contains(keys(var.secrets), k) },
    { for k in local.secrets_needed : k => var.secrets[k] },
  )
  # A new version whenever a value changes; functions started after the apply read it.
  secret_version = "v${substr(sha256(jsonencode(local.secret_values)), 0, 32)}"
  ssm_env = {
    SSM_SECRET_NAME    = tencentcloud_ssm_secret.app.secret_name
    SSM_SECRET_VERSION = tencentcloud_ssm_secret_version_v2.app.version_id
  }
}

resource "tencentcloud_ssm_secret" "app" {
  secret_name             = "${var.prefix}-app"
  description             = "jianbao ${var.prefix}: the functions' secrets as one JSON object"
  is_enabled              = true
  recovery_window_in_days = 7
}

resource "tencentcloud_ssm_secret_version_v2" "app" {
  secret_name      = tencentcloud_ssm_secret.app.secret_name
  version_id       = local.secret_version
  secret_string_wo = jsonencode(local.secret_values)
}

output "secret_name" {
  value = tencentcloud_ssm_secret.app.secret_name
}

output "secret_names" {
  description = "The names stored in the secret (not their values)"
  value       = nonsensitive(sort(keys(local.secret_values)))
}
