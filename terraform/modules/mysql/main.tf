# TencentDB for MySQL 8.0 with the application's database and a least-privilege account that
# connects only from the functions' subnet. Passwords are generated here and never appear in the
# repository; they live in the (encrypted, versioned) state and reach the functions as MYSQL_DSN.

variable "name" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "second_zone" {
  type        = string
  default     = ""
  description = "A second zone for the replica (prod); empty for a single-zone instance."
}

variable "cpu" {
  type = number
}

variable "mem_size" {
  type        = number
  description = "MB"
}

variable "volume_size" {
  type        = number
  description = "GB"
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "security_group_id" {
  type = string
}

variable "client_cidr" {
  type        = string
  description = "The functions' subnet: the account accepts connections from it only."
}

# The provider rejects a password without two of letters, digits and _+-&=!@#$%^*() (upper and
# lower case count as one): the minimums guarantee all three every time.
resource "random_password" "root" {
  length           = 24
  special          = true
  override_special = "_-"
  min_lower        = 2
  min_upper        = 2
  min_numeric      = 2
  min_special      = 1
}

resource "random_password" "app" {
  length           = 24
  special          = true
  override_special = "_-"
  min_lower        = 2
  min_upper        = 2
  min_numeric      = 2
  min_special      = 1
}

resource "tencentcloud_mysql_instance" "this" {
  instance_name     = var.name
  engine_version    = "8.0"
  charge_type       = "POSTPAID"
  cpu               = var.cpu
  mem_size          = var.mem_size
  volume_size       = var.volume_size
  availability_zone = var.availability_zone
  first_slave_zone  = var.second_zone != "" ? var.second_zone : var.availability_zone
  slave_deploy_mode = var.second_zone != "" ? 1 : 0
  # With a replica in another zone, semi-synchronous: a commit waits for the replica's receipt, so
  # a zone failover loses no acknowledged write (an async replica could).
  slave_sync_mode  = var.second_zone != "" ? 1 : 0
  vpc_id           = var.vpc_id
  subnet_id        = var.subnet_id
  security_groups  = [var.security_group_id]
  intranet_port    = 3306
  internet_service = 0
  root_password    = random_password.root.result
  parameters = {
    character_set_server = "utf8mb4"
    # The connection budget (functions/catalog/budget.go, docs/deploy.md): every holder at its
    # largest stays below max_connections; wait_timeout reaps the idle connections of frozen SCF
    # instances, which cannot close them themselves.
    max_connections = "1000"
    wait_timeout    = "300"
  }
}

resource "tencentcloud_mysql_database" "app" {
  instance_id        = tencentcloud_mysql_instance.this.id
  db_name            = "jianbao"
  character_set_name = "utf8mb4"
}

locals {
  # "10.20.1.0/24" → "10.20.1.%": MySQL host patterns are not CIDRs.
  client_host = "${join(".", slice(split(".", split("/", var.client_cidr)[0]), 0, 3))}.%"
}

resource "tencentcloud_mysql_account" "app" {
  mysql_id    = tencentcloud_mysql_instance.this.id
  name        = "jianbao_app"
  password    = random_password.app.result
  host        = local.client_host
  description = "the application (functions and shim)"
}

resource "tencentcloud_mysql_privilege" "app" {
  mysql_id     = tencentcloud_mysql_instance.this.id
  account_name = tencentcloud_mysql_account.app.name
  account_host = tencentcloud_mysql_account.app.host
  global       = []
  database {
    database_name = tencentcloud_mysql_database.app.db_name
    # DDL for the embedded migrations; no GRANT, FILE, SUPER or access to other databases.
    privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "REFERENCES", "DROP", "LOCK TABLES"]
  }
}

output "host" {
  value = tencentcloud_mysql_instance.this.intranet_ip
}

# Whatever reads the DSN can use it: the grant is in place (a deploy that applies the migrate
# function alone, -target, would otherwise create the account without its privileges).
output "dsn" {
  depends_on = [tencentcloud_mysql_privilege.app]
  value      = "${tencentcloud_mysql_account.app.name}:${random_password.app.result}@tcp(${tencentcloud_mysql_instance.this.intranet_ip}:3306)/${tencentcloud_mysql_database.app.db_name}?parseTime=true&loc=UTC"
  sensitive  = true
}
