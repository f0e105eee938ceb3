/** A role held in an office (officeId null: held tenant-wide). */
export interface Grant {
  role: string;
  officeId: string | null;
}

/** Who is acting: the signed-in user with every role they hold and where. Set on the request by the auth guards. */
export interface Principal {
  userId: string;
  email: string;
  grants: Grant[];
  /** The distinct role keys of `grants`. */
  roles: string[];
}
