# The functions' secrets live in one SSM secret per environment, not in SCF environment variables
# (those can be read by anyone allowed scf:GetFunction). A function reads it once at cold start as
# its run role (ssm:GetSecretValue on this secret only, modules/cam). What the catalog says a
# function needs must be in var.secrets: a missing one stops the plan at var.secrets[k].
#
# One version, "current", rewritten in place when a value changes. Every published function
# version names that one version, so a function rolled back after a secret change still finds its
# secrets (it gets the new values). A version per value set — the hash of the values as its id —
# looks safer and is not: the id forces replacement, the provider deletes the old version, and
# the published versions behind "live" name a version that no longer exists.
#
# The values are in the state: the provider's read copies SecretString into secret_string even
# when only the write-only secret_string_wo was written (tencentcloud 1.83.25,
# ssm/resource_tc_ssm_secret_version_v2.go), and with secret_string_wo every plan then shows a
# change. So secret_string it is, and the state is treated as secret — private, encrypted and per
# environment (docs/deploy.md), as it already holds random_password and the MySQL account.

variable "secret_recovery_days" {
  type        = number
  default     = 7
  description = "Days a deleted secret can still be restored (0: deleted at once)"
}

locals {
  secrets_needed   = toset(flatten([for f in local.functions : f.secrets_needed]))
  secrets_optional = toset(flatten([for f in local.functions : f.secrets]))
  secret_values = merge(
    # Decided by the names alone, so the set of names is known at plan time (the values are not).
    { for k in local.secrets_optional : k => var.secrets[k] if contains(keys(var.secrets), k) },
    { for k in local.secrets_needed : k => var.secrets[k] },
  )
  ssm_env = {
    SSM_SECRET_NAME    = tencentcloud_ssm_secret.app.secret_name
    SSM_SECRET_VERSION = tencentcloud_ssm_secret_version_v2.app.version_id
  }
}

resource "tencentcloud_ssm_secret" "app" {
  secret_name = "${var.prefix}-app"
  description = "jianbao ${var.prefix}: the functions' secrets as one JSON object"
  is_enabled  = true
  # A secret waiting out its recovery window keeps its name: an environment destroyed and made
  # again within the window cannot create it. Dev and test are rebuilt, so theirs go at once.
  recovery_window_in_days = var.secret_recovery_days
}

resource "tencentcloud_ssm_secret_version_v2" "app" {
  secret_name   = tencentcloud_ssm_secret.app.secret_name
  version_id    = "current"
  secret_string = jsonencode(local.secret_values)
}

output "secret_name" {
  value = tencentcloud_ssm_secret.app.secret_name
}

output "secret_names" {
  description = "The names stored in the secret (not their values)"
  value       = nonsensitive(sort(keys(local.secret_values)))
}
