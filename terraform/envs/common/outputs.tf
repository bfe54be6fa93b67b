# Root outputs of every environment (linked into terraform/envs/<env>/).

output "api_base_url" {
  value = module.stack.api_base_url
}

output "media_bucket" {
  value = module.stack.media_bucket
}

output "code_bucket" {
  value = module.stack.code_bucket
}

output "function_names" {
  value = module.stack.function_names
}

output "secret_name" {
  value = module.stack.secret_name
}

output "secret_names" {
  value = module.stack.secret_names
}

output "alert_relay_token" {
  value     = module.stack.alert_relay_token
  sensitive = true
}

output "console_url" {
  value = module.stack.console_url
}
