module github.com/jianbao/admin/shared

go 1.26.8
