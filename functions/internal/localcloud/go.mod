module github.com/jianbao/admin/localcloud

go 1.26.8

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/go-sql-driver/mysql v1.10.1 // indirect
	github.com/tencentcloud/tencentcloud-sdk-go v1.0.162 // indirect
)
