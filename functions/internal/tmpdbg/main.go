package main

import (
	"context"
	"fmt"
	"os"

	"github.com/jianbao/admin/shared/tencentapi"
)

func main() {
	c, err := tencentapi.FromEnv(os.Getenv, "ap-guangzhou")
	fmt.Println(err)
	var out map[string]any
	err = c.Call(context.Background(), "ssm", "2019-09-23", "GetSecretValue", map[string]any{"SecretName": "jianbao-dev-app", "VersionId": "current"}, &out)
	fmt.Println(err, len(out))
}
